#pragma once
// Draws a 0..1 number (EditRole) as a progress bar with its percentage, for table columns.

#include <QStyledItemDelegate>

namespace slim::ui {

class ProgressDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
};

} // namespace slim::ui
