#include "number_delegate.h"

#include <QApplication>
#include <QStyle>

namespace slim::ui {

namespace {
constexpr int kPadding = 8; // px right of a number
}

void NumberDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                           const QModelIndex &index) const
{
    QStyleOptionViewItem cell(option);
    initStyleOption(&cell, index);
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    // First the cell without its text (selection and focus frame over the full width), then the
    // text in a narrower rectangle over that same background.
    const QString text = cell.text;
    cell.text.clear();
    style->drawControl(QStyle::CE_ItemViewItem, &cell, painter, widget);
    cell.text = text;
    cell.rect.adjust(0, 0, -kPadding, 0);
    cell.state &= ~QStyle::State_HasFocus;
    style->drawControl(QStyle::CE_ItemViewItem, &cell, painter, widget);
}

} // namespace slim::ui
