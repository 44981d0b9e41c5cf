#include "run_table_model.h"

#include "run_catalog.h"

#include "common/status_style.h"

#include <QBrush>
#include <QDateTime>

#include <algorithm>
#include <set>
#include <unordered_set>

namespace slim::ui {

using store::RunStatus;
using store::RunSummary;

namespace {

QString qs(const std::string &text)
{
    return QString::fromStdString(text);
}

QVariant percent(const std::optional<double> &fraction)
{
    return fraction ? QVariant(*fraction * 100.0) : QVariant();
}

QDateTime localTime(const std::string &iso)
{
    if (iso.empty())
        return {};
    auto time = QDateTime::fromString(qs(iso), Qt::ISODateWithMs);
    return time.isValid() ? time.toLocalTime() : QDateTime();
}

QString tagsText(const RunSummary &run)
{
    QStringList tags;
    for (const auto &tag : run.tags)
        tags << qs(tag);
    return tags.join(QStringLiteral(", "));
}

bool sameSummary(const RunSummary &a, const RunSummary &b)
{
    return a.id == b.id && a.uuid == b.uuid && a.name == b.name && a.method == b.method
        && a.status == b.status && a.createdAt == b.createdAt && a.startedAt == b.startedAt
        && a.finishedAt == b.finishedAt && a.currentStep == b.currentStep
        && a.totalSteps == b.totalSteps && a.progress == b.progress
        && a.errorMessage == b.errorMessage && a.parentRunId == b.parentRunId && a.notes == b.notes
        && a.downstreamAvg == b.downstreamAvg && a.generalAvg == b.generalAvg
        && a.forgettingAvg == b.forgettingAvg && a.tags == b.tags;
}

bool isScoreColumn(int column)
{
    return column == RunTableModel::DownstreamColumn || column == RunTableModel::GeneralColumn
        || column == RunTableModel::ForgettingColumn;
}

} // namespace

RunTableModel::RunTableModel(services::RunCatalog *catalog, QObject *parent)
    : QAbstractTableModel(parent)
    , m_catalog(catalog)
{ }

void RunTableModel::setRuns(const services::RunSummaries &runs)
{
    std::unordered_map<std::int64_t, std::size_t> incoming;
    incoming.reserve(runs.size());
    for (std::size_t i = 0; i < runs.size(); ++i)
        incoming.emplace(runs[i].id, i);

    // Removals, from the end, one signal per contiguous block.
    for (int row = rowCount() - 1; row >= 0;) {
        if (incoming.count(m_runs[std::size_t(row)].id)) {
            --row;
            continue;
        }
        const int last = row;
        while (row >= 0 && !incoming.count(m_runs[std::size_t(row)].id))
            --row;
        beginRemoveRows({}, row + 1, last);
        m_runs.erase(m_runs.begin() + (row + 1), m_runs.begin() + (last + 1));
        endRemoveRows();
    }

    // Updates in place, one dataChanged per contiguous block of changed rows.
    int firstChanged = -1;
    const auto flush = [&](int endRow) {
        if (firstChanged >= 0)
            Q_EMIT dataChanged(index(firstChanged, 0), index(endRow - 1, ColumnCount - 1));
        firstChanged = -1;
    };
    std::unordered_set<std::int64_t> present;
    present.reserve(m_runs.size());
    for (int row = 0; row < rowCount(); ++row) {
        auto &current = m_runs[std::size_t(row)];
        present.insert(current.id);
        const auto &fresh = runs[incoming.at(current.id)];
        if (sameSummary(current, fresh)) {
            flush(row);
            continue;
        }
        current = fresh;
        if (firstChanged < 0)
            firstChanged = row;
    }
    flush(rowCount());

    // New runs at the end, in the catalog's order: views sort through a proxy anyway.
    std::vector<const RunSummary *> added;
    for (const auto &run : runs) {
        if (!present.count(run.id))
            added.push_back(&run);
    }
    if (!added.empty()) {
        beginInsertRows({}, rowCount(), rowCount() + int(added.size()) - 1);
        for (const auto *run : added)
            m_runs.push_back(*run);
        endInsertRows();
    }
    rebuildIndex();
}

void RunTableModel::rebuildIndex()
{
    m_rowOfId.clear();
    m_rowOfId.reserve(m_runs.size());
    for (std::size_t row = 0; row < m_runs.size(); ++row)
        m_rowOfId.emplace(m_runs[row].id, int(row));
}

int RunTableModel::rowOfRun(std::int64_t runId) const
{
    const auto it = m_rowOfId.find(runId);
    return it == m_rowOfId.end() ? -1 : it->second;
}

int RunTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_runs.size());
}

int RunTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RunTableModel::displayData(const RunSummary &run, int column) const
{
    switch (column) {
    case IdColumn:
        return QString::number(run.id);
    case NameColumn:
        return qs(run.name);
    case MethodColumn:
        return qs(run.method);
    case StatusColumn:
        return statusText(run.status);
    case ProgressColumn:
        if (run.status == RunStatus::Queued && run.progress <= 0)
            return QString();
        return QStringLiteral("%1%").arg(qRound(run.progress * 100.0));
    case DownstreamColumn:
    case GeneralColumn:
    case ForgettingColumn: {
        const auto value = sortData(run, column);
        return value.isValid() ? QString::number(value.toDouble(), 'f', 1) : QString();
    }
    case SweepColumn:
        return qs(run.sweepName);
    case TagsColumn:
        return tagsText(run);
    case NotesColumn: {
        // One line in the table; the whole text is in the tooltip and the editor.
        auto notes = qs(run.notes);
        notes.replace(QLatin1Char('\n'), QLatin1Char(' '));
        return notes;
    }
    case CreatedColumn:
    case FinishedColumn: {
        const auto time = localTime(column == CreatedColumn ? run.createdAt : run.finishedAt);
        return time.isValid() ? time.toString(QStringLiteral("yyyy-MM-dd HH:mm")) : QString();
    }
    }
    return {};
}

QVariant RunTableModel::sortData(const RunSummary &run, int column) const
{
    switch (column) {
    case IdColumn:
        return qint64(run.id);
    case ProgressColumn:
        return run.progress;
    case DownstreamColumn:
        return percent(run.downstreamAvg);
    case GeneralColumn:
        return percent(run.generalAvg);
    case ForgettingColumn:
        return percent(run.forgettingAvg);
    case CreatedColumn:
        // ISO-8601 UTC text orders like time.
        return run.createdAt.empty() ? QVariant() : QVariant(qs(run.createdAt));
    case FinishedColumn:
        return run.finishedAt.empty() ? QVariant() : QVariant(qs(run.finishedAt));
    case SweepColumn: // grouped, in the sweep's order
        return run.sweepName.empty()
                   ? QVariant()
                   : QVariant(qs(run.sweepName) + QChar(0x1f)
                              + QStringLiteral("%1").arg(run.sweepIndex.value_or(0), 8, 10,
                                                         QLatin1Char('0')));
    case NameColumn:
    case MethodColumn:
    case StatusColumn:
    case TagsColumn:
    case NotesColumn: {
        const auto text = displayData(run, column).toString();
        return text.isEmpty() ? QVariant() : QVariant(text);
    }
    }
    return {};
}

QVariant RunTableModel::toolTip(const RunSummary &run, int column) const
{
    switch (column) {
    case NameColumn: {
        QString tip = tr("Run %1 (%2)").arg(run.id).arg(qs(run.uuid));
        if (run.parentRunId)
            tip += QLatin1Char('\n') + tr("Continues or copies run %1").arg(*run.parentRunId);
        return tip;
    }
    case StatusColumn:
        return run.errorMessage.empty() ? QVariant() : QVariant(qs(run.errorMessage));
    case SweepColumn:
        if (run.sweepName.empty())
            return {};
        return tr("Run %1 of sweep %2").arg(run.sweepIndex.value_or(0)).arg(qs(run.sweepName));
    case ProgressColumn:
        if (run.totalSteps <= 0)
            return {};
        return tr("Step %1 of %2").arg(run.currentStep).arg(run.totalSteps);
    case NotesColumn:
        return run.notes.empty() ? QVariant() : QVariant(qs(run.notes));
    case CreatedColumn:
    case FinishedColumn: {
        const auto &iso = column == CreatedColumn ? run.createdAt : run.finishedAt;
        const auto time = localTime(iso);
        if (!time.isValid())
            return {};
        return tr("%1 local time\n%2 UTC")
            .arg(time.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")), qs(iso));
    }
    }
    return {};
}

QVariant RunTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount() || index.column() >= ColumnCount)
        return {};
    const auto &run = m_runs[std::size_t(index.row())];
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        return displayData(run, column);
    case Qt::EditRole:
        if (column == TagsColumn)
            return tagsText(run);
        if (column == NotesColumn)
            return qs(run.notes);
        if (column == ProgressColumn) {
            if (run.status == RunStatus::Queued && run.progress <= 0)
                return {};
            return run.progress;
        }
        if (column == IdColumn || isScoreColumn(column))
            return sortData(run, column);
        return displayData(run, column);
    case SortRole:
        return sortData(run, column);
    case RunIdRole:
        return qint64(run.id);
    case StatusRole:
        return int(run.status);
    case Qt::ToolTipRole:
        return toolTip(run, column);
    case Qt::ForegroundRole:
        if (column == StatusColumn)
            return QBrush(statusColour(run.status));
        return {};
    case Qt::TextAlignmentRole:
        if (column == IdColumn || isScoreColumn(column))
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    }
    return {};
}

QVariant RunTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case IdColumn:
            return tr("ID");
        case NameColumn:
            return tr("Name");
        case MethodColumn:
            return tr("Method");
        case StatusColumn:
            return tr("Status");
        case ProgressColumn:
            return tr("Progress");
        case DownstreamColumn:
            return tr("Downstream %");
        case GeneralColumn:
            return tr("General %");
        case ForgettingColumn:
            return tr("Forgetting pp");
        case SweepColumn:
            return tr("Sweep");
        case TagsColumn:
            return tr("Tags");
        case NotesColumn:
            return tr("Notes");
        case CreatedColumn:
            return tr("Created");
        case FinishedColumn:
            return tr("Finished");
        }
    } else if (role == Qt::ToolTipRole) {
        switch (section) {
        case DownstreamColumn:
            return tr("Mean final score on the downstream tasks, in percent");
        case GeneralColumn:
            return tr("Mean final score on the general tasks, in percent");
        case ForgettingColumn:
            return tr("Mean drop of the general scores below the base model's, in percentage "
                      "points (lower is better)");
        case SweepColumn:
            return tr("The sweep the run belongs to; sort by it to see each sweep's runs "
                      "together, in order");
        case TagsColumn:
            return tr("Comma-separated; double-click or F2 to edit");
        case NotesColumn:
            return tr("Double-click or F2 to edit");
        case CreatedColumn:
        case FinishedColumn:
            return tr("Local time");
        }
    } else if (role == Qt::TextAlignmentRole) {
        if (section == IdColumn || isScoreColumn(section))
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    }
    return {};
}

Qt::ItemFlags RunTableModel::flags(const QModelIndex &index) const
{
    auto flags = QAbstractTableModel::flags(index);
    if (m_catalog && (index.column() == NotesColumn || index.column() == TagsColumn))
        flags |= Qt::ItemIsEditable;
    return flags;
}

QStringList RunTableModel::parseTags(const QString &text)
{
    std::set<QString> unique;
    for (const auto &part : text.split(QLatin1Char(','))) {
        const auto tag = part.trimmed();
        if (!tag.isEmpty())
            unique.insert(tag);
    }
    return QStringList(unique.begin(), unique.end());
}

bool RunTableModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (!m_catalog || role != Qt::EditRole || !index.isValid() || index.row() >= rowCount())
        return false;
    auto &run = m_runs[std::size_t(index.row())];
    if (index.column() == NotesColumn) {
        const auto notes = value.toString().toStdString();
        if (notes == run.notes)
            return false;
        run.notes = notes;
        m_catalog->setNotes(run.id, value.toString());
    } else if (index.column() == TagsColumn) {
        const auto wanted = parseTags(value.toString());
        QStringList current;
        for (const auto &tag : run.tags)
            current << qs(tag);
        for (const auto &tag : current) {
            if (!wanted.contains(tag))
                m_catalog->removeTag(run.id, tag);
        }
        for (const auto &tag : wanted) {
            if (!current.contains(tag))
                m_catalog->addTag(run.id, tag);
        }
        if (wanted == current)
            return false;
        run.tags.clear();
        for (const auto &tag : wanted)
            run.tags.push_back(tag.toStdString());
    } else {
        return false;
    }
    // Shown now; the catalog's next listing confirms it (or a failure is reported there).
    Q_EMIT dataChanged(index, index);
    return true;
}

} // namespace slim::ui
