#include "runs_view.h"

#include "common/progress_delegate.h"
#include "common/status_style.h"
#include "common/table_export.h"
#include "number_delegate.h"
#include "run_catalog.h"
#include "run_sort_proxy.h"
#include "run_table_model.h"

#include <QAction>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>

namespace slim::ui {

using store::RunStatus;

namespace {

constexpr int kSearchDelayMs = 200; // typing pauses; each listing is an SQL query
constexpr int kNamesInQuestion = 5;

QString anyItem(const QString &what)
{
    return RunsView::tr("Any %1").arg(what);
}

// Replaces the items after "Any" by `values`, keeping the current value (even when it is no
// longer listed: a filter must not change under the user's hands).
void setComboValues(QComboBox *combo, QStringList values)
{
    const auto current = combo->currentData().toString();
    if (!current.isEmpty() && !values.contains(current))
        values << current;
    values.sort(Qt::CaseInsensitive);
    QStringList listed;
    for (int i = 1; i < combo->count(); ++i)
        listed << combo->itemData(i).toString();
    if (listed == values)
        return;
    const QSignalBlocker block(combo);
    while (combo->count() > 1)
        combo->removeItem(1);
    for (const auto &value : values)
        combo->addItem(value, value);
    combo->setCurrentIndex(std::max(0, combo->findData(current)));
}

} // namespace

RunsView::RunsView(services::RunCatalog *catalog, QWidget *parent)
    : QWidget(parent)
    , m_catalog(catalog)
    , m_model(new RunTableModel(catalog, this))
    , m_proxy(new RunSortProxy(this))
{
    m_proxy->setSourceModel(m_model);
    m_confirmer = [this](const QString &question) {
        QMessageBox box(QMessageBox::Question, tr("Delete Runs"), question, QMessageBox::Cancel,
                        this);
        auto *remove = box.addButton(tr("Delete"), QMessageBox::DestructiveRole);
        box.setDefaultButton(QMessageBox::Cancel);
        box.exec();
        return box.clickedButton() == remove;
    };

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->setSpacing(6);
    auto *bar = new QHBoxLayout;
    buildFilterBar(bar);
    layout->addLayout(bar);
    buildTable();
    layout->addWidget(m_table, 1);
    buildActions();

    connect(m_catalog, &services::RunCatalog::runsListed, this,
            [this](const services::RunSummaries &runs) {
                for (const auto &run : runs)
                    m_methodsSeen.insert(QString::fromStdString(run.method));
                m_model->setRuns(runs);
                onRunsListed();
            });
    connect(m_catalog, &services::RunCatalog::tagsListed, this, &RunsView::onTagsListed);
    applyFilter();
}

RunsView::~RunsView() = default;

void RunsView::buildFilterBar(QHBoxLayout *bar)
{
    m_search = new QLineEdit(this);
    m_search->setObjectName(QStringLiteral("runSearch"));
    m_search->setPlaceholderText(tr("Filter by name, method, tag or notes"));
    m_search->setClearButtonEnabled(true);
    m_search->setMinimumWidth(220);
    m_searchDelay = new QTimer(this);
    m_searchDelay->setSingleShot(true);
    m_searchDelay->setInterval(kSearchDelayMs);
    connect(m_searchDelay, &QTimer::timeout, this, &RunsView::applyFilter);
    connect(m_search, &QLineEdit::textChanged, this, &RunsView::scheduleFilter);
    connect(m_search, &QLineEdit::returnPressed, this, &RunsView::applyFilter);

    const auto makeCombo = [this](const char *name, const QString &any) {
        auto *combo = new QComboBox(this);
        combo->setObjectName(QLatin1String(name));
        combo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
        combo->addItem(any, QString());
        connect(combo, &QComboBox::currentIndexChanged, this, &RunsView::applyFilter);
        return combo;
    };
    m_methodCombo = makeCombo("methodFilter", anyItem(tr("method")));
    m_statusCombo = makeCombo("statusFilter", anyItem(tr("status")));
    {
        const QSignalBlocker block(m_statusCombo);
        for (auto status : {RunStatus::Queued, RunStatus::Running, RunStatus::Succeeded,
                            RunStatus::Failed, RunStatus::Cancelled, RunStatus::Interrupted})
            m_statusCombo->addItem(statusText(status),
                                   QString::fromUtf8(store::runStatusName(status).data()));
    }
    m_tagCombo = makeCombo("tagFilter", anyItem(tr("tag")));

    m_countLabel = new QLabel(this);
    m_countLabel->setObjectName(QStringLiteral("runCount"));
    m_countLabel->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    // Room for the longest text, so the filter bar does not shift as the count changes.
    m_countLabel->setMinimumWidth(
        fontMetrics().horizontalAdvance(tr("%1 runs · %2 selected").arg(99999).arg(99999)));

    bar->addWidget(m_search, 2);
    bar->addWidget(m_methodCombo);
    bar->addWidget(m_statusCombo);
    bar->addWidget(m_tagCombo);
    bar->addStretch(1);
    bar->addWidget(m_countLabel);
}

void RunsView::buildTable()
{
    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("runTable"));
    m_table->setModel(m_proxy);
    m_table->setItemDelegateForColumn(RunTableModel::ProgressColumn, new ProgressDelegate(m_table));
    for (int column : {RunTableModel::IdColumn, RunTableModel::DownstreamColumn,
                       RunTableModel::GeneralColumn, RunTableModel::ForgettingColumn})
        m_table->setItemDelegateForColumn(column, new NumberDelegate(m_table));
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed);
    m_table->setAlternatingRowColors(true);
    m_table->setShowGrid(false);
    m_table->setWordWrap(false);
    m_table->setTextElideMode(Qt::ElideRight);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(RunTableModel::CreatedColumn, Qt::DescendingOrder);

    // Fixed row heights and no content-sized columns: nothing scans thousands of rows.
    auto *rows = m_table->verticalHeader();
    rows->hide();
    rows->setSectionResizeMode(QHeaderView::Fixed);
    rows->setDefaultSectionSize(fontMetrics().height() + 8);
    auto *header = m_table->horizontalHeader();
    header->setSectionsMovable(true);
    header->setHighlightSections(false);
    header->setStretchLastSection(true);
    header->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    const int em = fontMetrics().averageCharWidth();
    const std::pair<int, int> widths[] = {
        {RunTableModel::IdColumn, 6},        {RunTableModel::NameColumn, 24},
        {RunTableModel::MethodColumn, 9},    {RunTableModel::StatusColumn, 11},
        {RunTableModel::ProgressColumn, 13}, {RunTableModel::DownstreamColumn, 14},
        {RunTableModel::GeneralColumn, 11},  {RunTableModel::ForgettingColumn, 14},
        {RunTableModel::SweepColumn, 14},    {RunTableModel::TagsColumn, 16},
        {RunTableModel::NotesColumn, 28},
        {RunTableModel::CreatedColumn, 19},  {RunTableModel::FinishedColumn, 19},
    };
    for (const auto &[column, chars] : widths)
        header->resizeSection(column, chars * em + 12);

    // Double-click or Enter opens a run; on Tags and Notes a double-click edits instead.
    connect(m_table, &QTableView::activated, this, [this](const QModelIndex &index) {
        Q_EMIT runActivated(index.data(RunTableModel::RunIdRole).toLongLong());
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &RunsView::onSelectionChanged);
}

void RunsView::buildActions()
{
    const auto add = [this](QAction *&action, const QString &text, void (RunsView::*slot)()) {
        action = new QAction(text, this);
        action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        connect(action, &QAction::triggered, this, slot);
        m_table->addAction(action);
    };
    const auto separator = [this] {
        auto *action = new QAction(this);
        action->setSeparator(true);
        m_table->addAction(action);
    };
    add(m_openAction, tr("Open"), &RunsView::openCurrent);
    add(m_compareAction, tr("Compare Selected"), &RunsView::compareSelected);
    m_compareAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    add(m_compareSweepAction, tr("Compare Sweep"), &RunsView::compareSweep);
    m_compareSweepAction->setToolTip(tr("Compare every run of the current run's sweep"));
    separator();
    add(m_duplicateAction, tr("Duplicate and Edit…"), &RunsView::duplicateCurrent);
    add(m_resumeAction, tr("Resume"), &RunsView::resumeCurrent);
    m_resumeAction->setToolTip(tr("Continue a failed, cancelled or interrupted run from its last "
                                  "checkpoint"));
    separator();
    add(m_editTagsAction, tr("Edit Tags…"), &RunsView::editTags);
    m_editNotesAction = new QAction(tr("Edit Notes"), this);
    m_table->addAction(m_editNotesAction);
    connect(m_editNotesAction, &QAction::triggered, this, [this] {
        const auto current = m_table->currentIndex();
        if (current.isValid())
            m_table->edit(current.siblingAtColumn(RunTableModel::NotesColumn));
    });
    add(m_deleteAction, tr("Delete…"), &RunsView::deleteSelected);
    m_deleteAction->setShortcut(QKeySequence::Delete);
    separator();
    installCsvExport(m_table, QStringLiteral("runs"));
    updateActions();
    updateCount();
}

void RunsView::setDeleteConfirmer(Confirmer confirmer)
{
    m_confirmer = std::move(confirmer);
}

QByteArray RunsView::saveState() const
{
    return m_table->horizontalHeader()->saveState();
}

bool RunsView::restoreState(const QByteArray &state)
{
    auto *header = m_table->horizontalHeader();
    if (!header->restoreState(state))
        return false;
    m_table->sortByColumn(header->sortIndicatorSection(), header->sortIndicatorOrder());
    return true;
}

void RunsView::scheduleFilter()
{
    m_searchDelay->start();
}

void RunsView::applyFilter()
{
    m_searchDelay->stop();
    store::RunFilter filter;
    filter.text = m_search->text().trimmed().toStdString();
    filter.method = m_methodCombo->currentData().toString().toStdString();
    filter.status = store::runStatusFromName(m_statusCombo->currentData().toString().toStdString());
    filter.tag = m_tagCombo->currentData().toString().toStdString();
    m_catalog->setFilter(filter);
}

void RunsView::onRunsListed()
{
    setComboValues(m_methodCombo, QStringList(m_methodsSeen.begin(), m_methodsSeen.end()));
    updateActions();
    updateCount();
}

void RunsView::onTagsListed(const QStringList &tags)
{
    setComboValues(m_tagCombo, tags);
}

void RunsView::onSelectionChanged()
{
    updateActions();
    updateCount();
    const auto ids = selectedRunIds();
    if (ids == m_lastSelection)
        return;
    m_lastSelection = ids;
    Q_EMIT selectionChanged(ids);
}

void RunsView::updateCount()
{
    const int runs = m_proxy->rowCount();
    QString text = runs == 1 ? tr("1 run") : tr("%1 runs").arg(QLocale().toString(runs));
    const auto selected = m_table->selectionModel()->selectedRows().size();
    if (selected > 1)
        text = tr("%1 · %2 selected").arg(text, QLocale().toString(selected));
    m_countLabel->setText(text);
}

void RunsView::updateActions()
{
    const auto ids = selectedRunIds();
    bool anyActive = false;
    bool resumable = ids.size() == 1;
    for (auto id : ids) {
        const int row = m_model->rowOfRun(id);
        if (row < 0)
            continue;
        const auto status = m_model->run(row).status;
        anyActive = anyActive || status == RunStatus::Queued || status == RunStatus::Running;
        resumable = resumable
            && (status == RunStatus::Failed || status == RunStatus::Cancelled
                || status == RunStatus::Interrupted);
    }
    m_openAction->setEnabled(!ids.isEmpty());
    m_compareAction->setEnabled(ids.size() >= 2);
    const int currentRow = ids.size() == 1 ? m_model->rowOfRun(ids.front()) : -1;
    m_compareSweepAction->setEnabled(currentRow >= 0 && m_model->run(currentRow).sweepId);
    m_duplicateAction->setEnabled(ids.size() == 1);
    m_resumeAction->setEnabled(resumable);
    m_editTagsAction->setEnabled(!ids.isEmpty());
    m_editNotesAction->setEnabled(ids.size() == 1);
    // A queued or running run is still written by its job: cancel it first.
    m_deleteAction->setEnabled(!ids.isEmpty() && !anyActive);
    m_deleteAction->setToolTip(anyActive ? tr("Cancel queued or running runs before deleting them")
                                         : tr("Delete the selected runs from the database"));
}

QList<qint64> RunsView::selectedRunIds() const
{
    auto rows = m_table->selectionModel()->selectedRows();
    std::sort(rows.begin(), rows.end(),
              [](const QModelIndex &a, const QModelIndex &b) { return a.row() < b.row(); });
    QList<qint64> ids;
    ids.reserve(rows.size());
    for (const auto &index : rows)
        ids << index.data(RunTableModel::RunIdRole).toLongLong();
    return ids;
}

void RunsView::selectRuns(const QList<qint64> &runIds)
{
    QItemSelection selection;
    QModelIndex first;
    for (auto id : runIds) {
        const int row = m_model->rowOfRun(id);
        if (row < 0)
            continue;
        const auto index = m_proxy->mapFromSource(m_model->index(row, 0));
        selection.select(index, index);
        if (!first.isValid())
            first = index;
    }
    auto *model = m_table->selectionModel();
    model->select(selection, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    if (first.isValid()) {
        model->setCurrentIndex(first, QItemSelectionModel::NoUpdate);
        m_table->scrollTo(first);
    }
}

std::int64_t RunsView::currentRunId() const
{
    const auto current = m_table->currentIndex();
    if (current.isValid() && m_table->selectionModel()->isRowSelected(current.row()))
        return current.data(RunTableModel::RunIdRole).toLongLong();
    const auto ids = selectedRunIds();
    return ids.isEmpty() ? 0 : ids.front();
}

void RunsView::openCurrent()
{
    if (const auto id = currentRunId())
        Q_EMIT runActivated(id);
}

void RunsView::compareSelected()
{
    const auto ids = selectedRunIds();
    if (ids.size() >= 2)
        Q_EMIT compareRequested(ids);
}

void RunsView::compareSweep()
{
    const int row = m_model->rowOfRun(currentRunId());
    if (row < 0 || !m_model->run(row).sweepId)
        return;
    const auto sweep = *m_model->run(row).sweepId;
    QList<qint64> ids;
    for (int i = 0; i < m_model->rowCount(); ++i)
        if (m_model->run(i).sweepId == sweep)
            ids << m_model->run(i).id;
    if (ids.size() >= 2)
        Q_EMIT compareRequested(ids);
}

void RunsView::duplicateCurrent()
{
    if (const auto id = currentRunId())
        Q_EMIT duplicateRequested(id);
}

void RunsView::resumeCurrent()
{
    updateActions(); // the status may have changed since the menu was shown
    if (m_resumeAction->isEnabled())
        Q_EMIT resumeRequested(currentRunId());
}

void RunsView::editTags()
{
    const auto ids = selectedRunIds();
    if (ids.size() == 1) {
        const int row = m_model->rowOfRun(ids.front());
        const auto index = m_proxy->mapFromSource(m_model->index(row, RunTableModel::TagsColumn));
        m_table->selectionModel()->setCurrentIndex(index, QItemSelectionModel::NoUpdate);
        m_table->edit(index);
        return;
    }
    if (ids.isEmpty())
        return;
    // Several runs: edit the tags they share; added tags go to all, removed ones from all.
    QStringList common;
    bool first = true;
    for (auto id : ids) {
        QStringList tags;
        for (const auto &tag : m_model->run(m_model->rowOfRun(id)).tags)
            tags << QString::fromStdString(tag);
        if (first)
            common = tags;
        else
            common.erase(std::remove_if(common.begin(), common.end(),
                                        [&](const QString &t) { return !tags.contains(t); }),
                         common.end());
        first = false;
    }
    bool ok = false;
    const auto text = QInputDialog::getText(
        this, tr("Edit Tags"),
        tr("Tags of the %1 selected runs (comma-separated):").arg(ids.size()), QLineEdit::Normal,
        common.join(QStringLiteral(", ")), &ok);
    if (!ok)
        return;
    const auto wanted = RunTableModel::parseTags(text);
    for (auto id : ids) {
        for (const auto &tag : common) {
            if (!wanted.contains(tag))
                m_catalog->removeTag(id, tag);
        }
        for (const auto &tag : wanted) {
            if (!common.contains(tag))
                m_catalog->addTag(id, tag);
        }
    }
}

void RunsView::deleteSelected()
{
    updateActions();
    if (!m_deleteAction->isEnabled())
        return;
    const auto ids = selectedRunIds();
    QStringList names;
    for (auto id : ids) {
        if (names.size() == kNamesInQuestion)
            break;
        const auto &run = m_model->run(m_model->rowOfRun(id));
        names << tr("“%1” (#%2)").arg(QString::fromStdString(run.name)).arg(id);
    }
    QString question = ids.size() == 1
        ? tr("Delete run %1?").arg(names.front())
        : tr("Delete %1 runs: %2%3?")
              .arg(ids.size())
              .arg(names.join(QStringLiteral(", ")))
              .arg(ids.size() > names.size() ? tr(" and %1 more").arg(ids.size() - names.size())
                                             : QString());
    question += QStringLiteral("\n\n")
        + tr("Their metrics, scores and records are removed from the database. "
             "Checkpoints and other files stay on disk.");
    if (!m_confirmer || !m_confirmer(question))
        return;
    for (auto id : ids)
        m_catalog->deleteRun(id);
}

} // namespace slim::ui
