#pragma once
// Right-aligned numbers with room on their right, so they do not run into the left-aligned
// text of the next column. Thread affinity: GUI thread.

#include <QStyledItemDelegate>

namespace slim::ui {

class NumberDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
};

} // namespace slim::ui
