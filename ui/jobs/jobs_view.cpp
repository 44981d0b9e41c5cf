#include "jobs_view.h"

#include "common/progress_delegate.h"
#include "job_table_model.h"

#include <QAction>
#include <QHeaderView>
#include <QPlainTextEdit>
#include <QSplitter>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

namespace slim::ui {

JobsView::JobsView(services::JobManager *jobs, QWidget *parent)
    : QWidget(parent)
    , m_jobs(jobs)
    , m_model(new JobTableModel(jobs, this))
    , m_table(new QTableView(this))
    , m_log(new QPlainTextEdit(this))
    , m_cancel(new QAction(QStringLiteral("Cancel job"), this))
{
    m_table->setObjectName(QStringLiteral("jobsTable"));
    m_table->setModel(m_model);
    m_table->setItemDelegateForColumn(JobTableModel::Progress, new ProgressDelegate(m_table));
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->resizeSection(JobTableModel::Title, 220);
    m_table->horizontalHeader()->resizeSection(JobTableModel::Progress, 160);
    m_table->addAction(m_cancel);
    m_table->setContextMenuPolicy(Qt::ActionsContextMenu);

    // Small minimums: the dock must leave room for a run view on a 768-pixel screen.
    m_table->setMinimumHeight(60);
    m_log->setMinimumHeight(30);
    m_log->setReadOnly(true);
    m_log->setMaximumBlockCount(2000);
    m_log->setPlaceholderText(QStringLiteral("Messages of the jobs appear here."));

    auto *cancelButton = new QToolButton(this);
    cancelButton->setDefaultAction(m_cancel);
    cancelButton->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_cancel->setToolTip(QStringLiteral("Stop the selected job (a running run keeps its last "
                                        "checkpoint and can be resumed)"));

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_table);
    splitter->addWidget(m_log);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(cancelButton, 0, Qt::AlignLeft);
    layout->addWidget(splitter);

    // A sweep is cancelled as a whole: its queued runs would otherwise start one by one.
    connect(m_cancel, &QAction::triggered, this, [this] {
        const auto id = selectedJob();
        const auto job = id ? m_jobs->job(id) : std::nullopt;
        if (job && !job->sweepUuid.isEmpty())
            m_jobs->cancelSweep(job->sweepUuid);
        else if (job)
            m_jobs->requestCancel(id);
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &JobsView::updateActions);
    connect(m_model, &QAbstractItemModel::dataChanged, this, &JobsView::updateActions);
    connect(m_table, &QAbstractItemView::doubleClicked, this, [this](const QModelIndex &index) {
        Q_EMIT runActivated(m_model->job(index.row()).runId);
    });
    connect(jobs, &services::JobManager::logged, this, [this](quint64 id, const QString &line) {
        m_log->appendPlainText(QStringLiteral("[job %1] %2").arg(id).arg(line));
    });
    connect(jobs, &services::JobManager::jobFinished, this, [this](const services::JobInfo &j) {
        m_log->appendPlainText(QStringLiteral("[job %1] %2 %3%4")
                                   .arg(j.id)
                                   .arg(j.title, services::jobStateName(j.state),
                                        j.message.isEmpty() ? QString() : QStringLiteral(": ") + j.message));
    });
    updateActions();
}

quint64 JobsView::selectedJob() const
{
    const auto rows = m_table->selectionModel()->selectedRows();
    return rows.isEmpty() ? 0 : m_model->job(rows.first().row()).id;
}

void JobsView::updateActions()
{
    const auto id = selectedJob();
    const auto job = id ? m_jobs->job(id) : std::nullopt;
    m_cancel->setEnabled(job && !services::isFinished(job->state));
    m_cancel->setText(job && !job->sweepUuid.isEmpty() ? QStringLiteral("Cancel sweep")
                                                       : QStringLiteral("Cancel job"));
}

} // namespace slim::ui
