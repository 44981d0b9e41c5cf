#pragma once
// The run listing as a table: one row per store::RunSummary, as read by services::RunCatalog.
//
// Thread affinity: GUI thread. The catalog is not owned and may be null (then read-only).
// Units: scores are fractions in the store and shown as percentages (one decimal); EditRole
// and SortRole give the unrounded percentage as a double, so sorting and CSV are numeric.
// Progress: EditRole is the fraction 0..1 (what common/progress_delegate.h draws), invalid for
// a queued run that has not started.
// Sweep: the sweep's name; sorting by it groups each sweep's runs in the sweep's order.
// Timestamps are ISO-8601 UTC in the store and shown in local time ("yyyy-MM-dd HH:mm").

#include "run_data.h"

#include <QAbstractTableModel>

#include <cstdint>
#include <unordered_map>

namespace slim::services {
class RunCatalog;
}

namespace slim::ui {

class RunTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        IdColumn,
        NameColumn,
        MethodColumn,
        StatusColumn,
        ProgressColumn,
        DownstreamColumn,
        GeneralColumn,
        ForgettingColumn,
        SweepColumn,
        TagsColumn,
        NotesColumn,
        CreatedColumn,
        FinishedColumn,
        ColumnCount
    };
    enum Role {
        RunIdRole = Qt::UserRole + 1, // qint64, any column
        SortRole, // number, or text; invalid when the value is missing
        StatusRole, // int(store::RunStatus), any column
    };

    explicit RunTableModel(services::RunCatalog *catalog, QObject *parent = nullptr);

    // Replaces the rows with `runs`, in place: rows of ids still present are updated
    // (dataChanged only where something changed), others are removed, new ids are appended.
    // The model is never reset, so a view keeps its selection, current index and scroll
    // position across the live refreshes.
    void setRuns(const services::RunSummaries &runs);

    const store::RunSummary &run(int row) const { return m_runs[std::size_t(row)]; }
    int rowOfRun(std::int64_t runId) const; // -1 when not listed

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    // Notes: the text as a whole. Tags: comma-separated; the difference to the current tags is
    // sent as addTag/removeTag. Both are shown at once and written through the catalog.
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;

    // "demo, slim" <-> {"demo", "slim"}: trimmed, without empties or duplicates, sorted.
    static QStringList parseTags(const QString &text);

private:
    QVariant displayData(const store::RunSummary &run, int column) const;
    QVariant sortData(const store::RunSummary &run, int column) const;
    QVariant toolTip(const store::RunSummary &run, int column) const;
    void rebuildIndex();

    services::RunCatalog *m_catalog;
    services::RunSummaries m_runs;
    std::unordered_map<std::int64_t, int> m_rowOfId;
};

} // namespace slim::ui
