#include "main_window.h"

#include "spec_service.h"

#include "common/error_box.h"
#include "compare/compare_view.h"
#include "forms/new_run_dialog.h"
#include "forms/sweep_dialog.h"
#include "jobs/jobs_view.h"
#include "main/welcome_page.h"
#include "runs/runs_view.h"
#include "runview/run_view.h"

#include <QAction>
#include <QJsonObject>
#include <QJsonDocument>
#include <QFileDialog>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QScrollArea>
#include <QSettings>
#include <QSpinBox>
#include <QStatusBar>
#include <QTabBar>
#include <QTabWidget>
#include <QToolBar>
#include <QVBoxLayout>

namespace slim::ui {

namespace {

// Documents scroll rather than force their minimum height on the window: plots stay usable
// at 1366x768 with the Jobs dock open.
QScrollArea *scrollable(QWidget *document)
{
    auto *area = new QScrollArea;
    area->setWidget(document);
    area->setWidgetResizable(true);
    area->setFrameShape(QFrame::NoFrame);
    return area;
}

} // namespace

QWidget *MainWindow::documentAt(int index) const
{
    auto *widget = m_documents->widget(index);
    if (auto *area = qobject_cast<QScrollArea *>(widget))
        return area->widget();
    return widget;
}

MainWindow::MainWindow(services::RunCatalog *catalog, services::JobManager *jobs,
                       services::MetricStream *stream, QWidget *parent)
    : QMainWindow(parent)
    , m_catalog(catalog)
    , m_jobs(jobs)
    , m_stream(stream)
    , m_documents(new QTabWidget(this))
    , m_runs(new RunsView(catalog, this))
    , m_jobsView(new JobsView(jobs, this))
    , m_statusRuns(new QLabel(this))
{
    setWindowTitle(QStringLiteral("SLIM Workbench"));
    setObjectName(QStringLiteral("mainWindow"));

    auto *runsPage = new QWidget(this);
    auto *runsLayout = new QVBoxLayout(runsPage);
    runsLayout->setContentsMargins(0, 0, 0, 0);
    m_welcome = new WelcomePage(runsPage);
    runsLayout->addWidget(m_welcome);
    runsLayout->addWidget(m_runs, 1);
    m_documents->setObjectName(QStringLiteral("documents"));
    m_documents->setDocumentMode(true);
    m_documents->setTabsClosable(true);
    m_documents->addTab(runsPage, QStringLiteral("Runs"));
    m_documents->tabBar()->setTabButton(0, QTabBar::RightSide, nullptr); // Runs stays
    setCentralWidget(m_documents);

    auto *jobsDock = new QDockWidget(QStringLiteral("Jobs"), this);
    jobsDock->setObjectName(QStringLiteral("jobsDock"));
    jobsDock->setWidget(m_jobsView);
    addDockWidget(Qt::BottomDockWidgetArea, jobsDock);
    // The documents get the height; the queue needs a few rows (a saved layout overrides this).
    resizeDocks({jobsDock}, {170}, Qt::Vertical);

    statusBar()->addPermanentWidget(m_statusRuns);
    statusBar()->showMessage(
        QStringLiteral("Database: %1").arg(QString::fromStdString(jobs->paths().database.string())));

    createActions();
    connect(m_documents, &QTabWidget::tabCloseRequested, this, &MainWindow::closeDocument);
    connect(m_welcome, &WelcomePage::demoRequested, this, &MainWindow::runDemo);
    connect(m_welcome, &WelcomePage::newRunRequested, this, &MainWindow::newRun);
    connect(m_runs, &RunsView::runActivated, this, &MainWindow::openRun);
    connect(m_runs, &RunsView::compareRequested, this, &MainWindow::compareRuns);
    connect(m_runs, &RunsView::duplicateRequested, this, &MainWindow::duplicateRun);
    connect(m_runs, &RunsView::resumeRequested, this, &MainWindow::resumeRun);
    connect(m_jobsView, &JobsView::runActivated, this, &MainWindow::openRun);
    connect(catalog, &services::RunCatalog::detailLoaded, this, &MainWindow::onDetailLoaded);
    connect(catalog, &services::RunCatalog::runsListed, this, &MainWindow::onRunsListed);
    connect(catalog, &services::RunCatalog::failed, this,
            [this](const QString &message, const QString &detail) {
                showError(this, QStringLiteral("Run database"), message, detail);
            });
    connect(jobs, &services::JobManager::jobFinished, this, &MainWindow::onJobFinished);
    connect(jobs, &services::JobManager::jobAdded, this, [this](const services::JobInfo &job) {
        statusBar()->showMessage(QStringLiteral("Queued: %1").arg(job.title), 5000);
    });

    m_confirmClose = [this](int active) {
        return QMessageBox::question(
                   this, QStringLiteral("Jobs are running"),
                   QStringLiteral("%1 job(s) are running or queued. Cancel them and quit? "
                                  "Running runs keep their last checkpoint and can be resumed.")
                       .arg(active))
               == QMessageBox::Yes;
    };
    resize(1280, 760);
    restoreLayout();
}

void MainWindow::createActions()
{
    auto *file = menuBar()->addMenu(QStringLiteral("&Run"));
    auto *toolbar = addToolBar(QStringLiteral("Main"));
    toolbar->setObjectName(QStringLiteral("mainToolbar"));
    toolbar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    auto add = [&](const QString &text, const QKeySequence &keys, auto slot, bool onToolbar) {
        auto *action = new QAction(text, this);
        action->setShortcut(keys);
        connect(action, &QAction::triggered, this, slot);
        file->addAction(action);
        if (onToolbar)
            toolbar->addAction(action);
        return action;
    };
    add(QStringLiteral("&New run…"), QKeySequence(Qt::CTRL | Qt::Key_N), [this] { newRun(); }, true);
    add(QStringLiteral("New &sweep…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_N),
        [this] { newSweep(); }, true);
    add(QStringLiteral("&Import adapter…"), QKeySequence(Qt::CTRL | Qt::Key_I),
        [this] { importAdapter(); }, false);
    add(QStringLiteral("Run the &demo"), QKeySequence(Qt::CTRL | Qt::Key_D), [this] { runDemo(); },
        true);
    file->addSeparator();
    for (auto *action : {m_runs->openAction(), m_runs->compareAction(), m_runs->deleteAction()})
        file->addAction(action);
    toolbar->addAction(m_runs->compareAction());
    file->addAction(m_jobsView->cancelAction());
    file->addSeparator();
    add(QStringLiteral("&Refresh"), QKeySequence(Qt::Key_F5), [this] { m_catalog->refresh(); }, false);
    add(QStringLiteral("&Close tab"), QKeySequence(Qt::CTRL | Qt::Key_W),
        [this] { closeDocument(m_documents->currentIndex()); }, false);
    add(QStringLiteral("&Quit"), QKeySequence(Qt::CTRL | Qt::Key_Q), [this] { close(); }, false);

    auto *view = menuBar()->addMenu(QStringLiteral("&View"));
    auto *showRuns = view->addAction(QStringLiteral("Runs"));
    showRuns->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_1));
    connect(showRuns, &QAction::triggered, this, [this] { m_documents->setCurrentIndex(0); });
    auto *jobsDock = findChild<QDockWidget *>(QStringLiteral("jobsDock"));
    auto *toggleJobs = jobsDock->toggleViewAction();
    toggleJobs->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_J));
    view->addAction(toggleJobs);
}

void MainWindow::setCloseConfirmer(std::function<bool(int)> confirmer)
{
    m_confirmClose = std::move(confirmer);
}

void MainWindow::newRun()
{
    openNewRunDialog({}, std::nullopt);
}

void MainWindow::openNewRunDialog(const QString &specJson, std::optional<std::int64_t> parentRunId,
                                  const QString &name, const QStringList &tags)
{
    auto *dialog = new NewRunDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    if (!specJson.isEmpty())
        dialog->setSpecJson(specJson, name);
    if (!tags.isEmpty())
        dialog->setTags(tags);
    connect(dialog, &NewRunDialog::submitted, this,
            [this, parentRunId](const QString &spec, const QStringList &tags, bool startNow) {
                QString error;
                const auto placement = startNow ? services::JobManager::Placement::Next
                                                : services::JobManager::Placement::Last;
                if (!m_jobs->submitRun(spec, tags, parentRunId, placement, &error))
                    showError(this, QStringLiteral("The run was not started"),
                              QStringLiteral("The run spec was refused."), error);
                m_catalog->refresh();
            });
    dialog->open();
}

SweepDialog *MainWindow::newSweep()
{
    auto *dialog = new SweepDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->concurrencySpin()->setValue(m_jobs->maxConcurrent());
    connect(dialog, &SweepDialog::submitted, this,
            [this](const QString &sweep, bool startNow, int runsAtOnce) {
                QString error;
                m_jobs->setMaxConcurrent(runsAtOnce);
                const auto placement = startNow ? services::JobManager::Placement::Next
                                                : services::JobManager::Placement::Last;
                const auto ids = m_jobs->submitSweep(sweep, placement, &error);
                if (ids.empty())
                    showError(this, QStringLiteral("The sweep was not started"),
                              QStringLiteral("The sweep was refused."), error);
                else
                    statusBar()->showMessage(QStringLiteral("Sweep queued: %1 runs").arg(ids.size()),
                                             8000);
                m_catalog->refresh();
            });
    dialog->open();
    return dialog;
}

void MainWindow::importAdapter()
{
    const auto adapter = QFileDialog::getExistingDirectory(
        this, QStringLiteral("Choose an adapter folder (PEFT, or exported from the workbench)"));
    if (adapter.isEmpty())
        return;
    auto base = services::localBaseModelOf(adapter);
    if (base.isEmpty())
        base = QFileDialog::getExistingDirectory(
            this, QStringLiteral("Choose the base model the adapter was trained on"));
    if (base.isEmpty())
        return;
    QString error;
    const auto spec = services::importAdapterSpec(adapter, base, &error);
    if (spec.isEmpty()) {
        showError(this, QStringLiteral("The adapter cannot be imported"),
                  QStringLiteral("It does not fit the base model."), error);
        return;
    }
    const auto name = QJsonDocument::fromJson(spec.toUtf8()).object().value("name").toString();
    openNewRunDialog(spec, std::nullopt, name, {QStringLiteral("imported")});
}

void MainWindow::runDemo()
{
    const auto ids = m_jobs->submitDemo();
    statusBar()->showMessage(QStringLiteral("Demo queued: %1 jobs").arg(ids.size()), 8000);
    m_catalog->refresh();
}

RunView *MainWindow::openRun(std::int64_t runId)
{
    for (int i = 1; i < m_documents->count(); ++i) {
        if (auto *view = qobject_cast<RunView *>(documentAt(i)); view && view->runId() == runId) {
            m_documents->setCurrentIndex(i);
            return view;
        }
    }
    auto *view = new RunView(m_stream);
    // Reload when the run ends (also when slimctl ran it) or its base scores appeared.
    connect(view, &RunView::runFinished, m_catalog,
            [this](std::int64_t id) { m_catalog->requestDetail(id); });
    connect(view, &RunView::detailStale, m_catalog,
            [this](std::int64_t id) { m_catalog->requestDetail(id); });
    connect(view, &RunView::checkpointPinRequested, m_catalog, &services::RunCatalog::setCheckpointPinned);
    connect(view, &RunView::pruneRequested, m_catalog, &services::RunCatalog::pruneCheckpoints);
    view->watchRun(runId); // before the load, so no live row is missed
    const int index = m_documents->addTab(scrollable(view), QStringLiteral("Run %1").arg(runId));
    m_documents->setCurrentIndex(index);
    m_catalog->requestDetail(runId);
    return view;
}

CompareView *MainWindow::compareRuns(const QList<qint64> &runIds)
{
    if (!m_compare) {
        m_compare = new CompareView;
        connect(m_compare, &CompareView::runActivated, this, &MainWindow::openRun);
    }
    int index = -1;
    for (int i = 1; i < m_documents->count(); ++i) {
        if (documentAt(i) == m_compare)
            index = i;
    }
    if (index < 0)
        index = m_documents->addTab(scrollable(m_compare), QStringLiteral("Compare"));
    m_documents->setCurrentIndex(index);
    m_compare->clear();
    m_compareIds.clear();
    for (auto id : runIds) {
        m_compareIds.insert(id);
        m_catalog->requestDetail(id);
    }
    return m_compare;
}

void MainWindow::onDetailLoaded(const services::RunDetailPtr &detail)
{
    const auto id = detail->record.id;
    for (int i = 1; i < m_documents->count(); ++i) {
        if (auto *view = qobject_cast<RunView *>(documentAt(i)); view && view->runId() == id) {
            view->setDetail(detail);
            m_documents->setTabText(i, QString::fromStdString(detail->record.name));
            m_documents->setTabToolTip(i, QStringLiteral("Run %1 (%2)")
                                              .arg(id)
                                              .arg(QString::fromStdString(detail->record.method)));
        }
    }
    if (m_compare && m_compareIds.count(id))
        m_compare->addRun(detail);
    if (m_duplicateIds.erase(id))
        openNewRunDialog(QString::fromStdString(detail->record.specJson), id);
}

void MainWindow::onRunsListed(const services::RunSummaries &runs)
{
    m_welcome->setVisible(runs.empty() && m_runs->selectedRunIds().isEmpty());
    m_statusRuns->setText(QStringLiteral("%1 runs listed").arg(runs.size()));
    for (int i = 1; i < m_documents->count(); ++i) {
        auto *view = qobject_cast<RunView *>(documentAt(i));
        if (!view)
            continue;
        for (const auto &run : runs) {
            if (run.id == view->runId())
                view->setRecord(run);
        }
    }
}

void MainWindow::onJobFinished(const services::JobInfo &job)
{
    // Open views of the run reload through RunView::runFinished when the list shows the end.
    m_catalog->refresh();
    if (job.state == services::JobState::Failed)
        showError(this, QStringLiteral("A job failed"),
                  QStringLiteral("%1: %2").arg(job.title, job.message), job.detail);
    else
        statusBar()->showMessage(QStringLiteral("%1 %2").arg(job.title, services::jobStateName(job.state)),
                                 8000);
}

void MainWindow::duplicateRun(std::int64_t runId)
{
    m_duplicateIds.insert(runId);
    m_catalog->requestDetail(runId);
}

void MainWindow::resumeRun(std::int64_t runId)
{
    QString error;
    if (!m_jobs->submitResume(runId, &error))
        showError(this, QStringLiteral("The run cannot be resumed"), error);
}

void MainWindow::closeDocument(int index)
{
    if (index <= 0)
        return; // the Runs page stays
    auto *widget = m_documents->widget(index);
    const bool isCompare = documentAt(index) == m_compare;
    m_documents->removeTab(index);
    if (isCompare) {
        m_compare = nullptr;
        m_compareIds.clear();
    }
    widget->deleteLater();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    int active = 0;
    for (const auto &job : m_jobs->jobs())
        active += services::isFinished(job.state) ? 0 : 1;
    if (active > 0 && !m_confirmClose(active)) {
        event->ignore();
        return;
    }
    saveLayout();
    if (active > 0) {
        statusBar()->showMessage(QStringLiteral("Stopping jobs…"));
        QApplication::setOverrideCursor(Qt::WaitCursor);
        m_jobs->shutdown(); // each job stops at its next step boundary
        QApplication::restoreOverrideCursor();
    }
    event->accept();
}

void MainWindow::restoreLayout()
{
    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    m_runs->restoreState(settings.value(QStringLiteral("runs/header")).toByteArray());
}

void MainWindow::saveLayout() const
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    settings.setValue(QStringLiteral("runs/header"), m_runs->saveState());
}

} // namespace slim::ui
