#include "run_sort_proxy.h"

#include "run_table_model.h"

namespace slim::ui {

namespace {

bool isNumber(const QVariant &value)
{
    switch (value.metaType().id()) {
    case QMetaType::Double:
    case QMetaType::Float:
    case QMetaType::Int:
    case QMetaType::LongLong:
        return true;
    default:
        return false;
    }
}

} // namespace

RunSortProxy::RunSortProxy(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(RunTableModel::SortRole);
    setDynamicSortFilter(true);
}

bool RunSortProxy::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    const auto l = left.data(sortRole());
    const auto r = right.data(sortRole());
    // A descending sort calls lessThan(right, left): answer so that missing values end last.
    const bool descending = sortOrder() == Qt::DescendingOrder;
    if (!l.isValid() && r.isValid())
        return descending;
    if (l.isValid() && !r.isValid())
        return !descending;
    if (l.isValid()) {
        int order = 0;
        if (isNumber(l) && isNumber(r)) {
            const double a = l.toDouble(), b = r.toDouble();
            order = a < b ? -1 : (b < a ? 1 : 0);
        } else {
            order = QString::compare(l.toString(), r.toString(), Qt::CaseInsensitive);
        }
        if (order != 0)
            return order < 0;
    }
    return left.data(RunTableModel::RunIdRole).toLongLong()
        < right.data(RunTableModel::RunIdRole).toLongLong();
}

} // namespace slim::ui
