#pragma once
// Click-to-sort for the run table: numbers as numbers, text case-insensitively, missing values
// (no score yet, not finished) last in both directions, ties by run id so the order is stable
// across live refreshes. No filtering: the catalog filters in SQL.
//
// Thread affinity: GUI thread.

#include <QSortFilterProxyModel>

namespace slim::ui {

class RunSortProxy : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit RunSortProxy(QObject *parent = nullptr);

protected:
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;
};

} // namespace slim::ui
