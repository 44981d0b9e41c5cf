#include "progress_delegate.h"

#include <QApplication>
#include <QPainter>

namespace slim::ui {

void ProgressDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                             const QModelIndex &index) const
{
    const auto value = index.data(Qt::EditRole);
    if (!value.isValid() || value.isNull()) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }
    const double fraction = std::clamp(value.toDouble(), 0.0, 1.0);
    if (option.state & QStyle::State_Selected)
        painter->fillRect(option.rect, option.palette.highlight());
    QStyleOptionProgressBar bar;
    bar.rect = option.rect.adjusted(2, 3, -2, -3);
    bar.minimum = 0;
    bar.maximum = 1000;
    bar.progress = int(fraction * 1000.0);
    bar.text = index.data(Qt::DisplayRole).toString();
    if (bar.text.isEmpty())
        bar.text = QString::number(fraction * 100.0, 'f', 0) + QLatin1Char('%');
    bar.textVisible = true;
    bar.state = option.state | QStyle::State_Horizontal;
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ProgressBar, &bar, painter, widget);
}

} // namespace slim::ui
