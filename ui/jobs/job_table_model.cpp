#include "job_table_model.h"

#include "common/status_style.h"

#include <QBrush>

namespace slim::ui {

using services::JobInfo;
using services::JobKind;
using services::JobState;

QString formatEta(double seconds)
{
    if (seconds < 0)
        return {};
    const auto s = qint64(seconds + 0.5);
    if (s >= 3600)
        return QStringLiteral("%1h%2m").arg(s / 3600).arg((s % 3600) / 60, 2, 10, QLatin1Char('0'));
    if (s >= 60)
        return QStringLiteral("%1m%2s").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1s").arg(s);
}

JobTableModel::JobTableModel(services::JobManager *jobs, QObject *parent)
    : QAbstractTableModel(parent)
{
    for (const auto &info : jobs->jobs())
        m_jobs.push_back(info);
    connect(jobs, &services::JobManager::jobAdded, this, &JobTableModel::upsert);
    connect(jobs, &services::JobManager::jobChanged, this, &JobTableModel::upsert);
}

int JobTableModel::rowOf(quint64 jobId) const
{
    for (size_t i = 0; i < m_jobs.size(); ++i) {
        if (m_jobs[i].id == jobId)
            return int(i);
    }
    return -1;
}

void JobTableModel::upsert(const JobInfo &info)
{
    if (const int row = rowOf(info.id); row >= 0) {
        m_jobs[size_t(row)] = info;
        Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
        return;
    }
    const int row = int(m_jobs.size());
    beginInsertRows({}, row, row);
    m_jobs.push_back(info);
    endInsertRows();
}

int JobTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_jobs.size());
}

int JobTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant JobTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char *names[] = {"Job", "Kind", "State", "Progress", "Rate", "ETA", "Message"};
    return QString::fromLatin1(names[section]);
}

QVariant JobTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    const auto &j = m_jobs.at(size_t(index.row()));
    if (role == Qt::ForegroundRole && index.column() == State)
        return QBrush(statusColour(runStatusOf(j.state)));
    if (role == Qt::ToolTipRole)
        return j.detail.isEmpty() ? j.message : j.message + QStringLiteral("\n\n") + j.detail;
    if (role != Qt::DisplayRole && role != Qt::EditRole)
        return {};
    switch (Column(index.column())) {
    case Title:
        return role == Qt::DisplayRole ? QStringLiteral("%1 (run %2)").arg(j.title).arg(j.runId)
                                       : QVariant(j.title);
    case Kind:
        return j.kind == JobKind::BuildBaseModel ? QStringLiteral("base model")
               : j.kind == JobKind::Resume       ? QStringLiteral("resume")
                                                 : QStringLiteral("fine-tune");
    case State:
        return j.state == JobState::Running && !j.phase.isEmpty()
                   ? QStringLiteral("running: %1").arg(j.phase)
                   : services::jobStateName(j.state);
    case Progress:
        if (role == Qt::EditRole)
            return services::isFinished(j.state) && j.state == JobState::Succeeded
                       ? 1.0
                       : j.fraction();
        // A finished job's counts are those of its last phase (e.g. the final evaluation's
        // items), so they are labelled with it, or replaced by "complete".
        if (j.state == JobState::Succeeded)
            return QStringLiteral("complete");
        if (j.total <= 0)
            return QString();
        if (services::isFinished(j.state) && !j.phase.isEmpty())
            return QStringLiteral("%1 / %2 (%3)").arg(j.done).arg(j.total).arg(j.phase);
        return QStringLiteral("%1 / %2").arg(j.done).arg(j.total);
    case Rate:
        return j.rate > 0 && j.state == JobState::Running
                   ? QStringLiteral("%1 %2").arg(j.rate, 0, 'f', j.rate < 10 ? 1 : 0).arg(j.rateUnit)
                   : QString();
    case Eta:
        return j.state == JobState::Running ? formatEta(j.etaSeconds) : QString();
    case Message:
        return j.message;
    case ColumnCount:
        break;
    }
    return {};
}

} // namespace slim::ui
