#pragma once
// The job queue as a table: one row per job of this window (queued, running, finished), fed
// by JobManager's signals. GUI thread.

#include "job_manager.h"

#include <QAbstractTableModel>

#include <vector>

namespace slim::ui {

class JobTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Title, Kind, State, Progress, Rate, Eta, Message, ColumnCount };

    explicit JobTableModel(services::JobManager *jobs, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    const services::JobInfo &job(int row) const { return m_jobs.at(size_t(row)); }
    int rowOf(quint64 jobId) const; // -1 when unknown

private:
    void upsert(const services::JobInfo &info);

    std::vector<services::JobInfo> m_jobs;
};

// "1h02m", "3m05s", "42s"; "" for unknown (negative).
QString formatEta(double seconds);

} // namespace slim::ui
