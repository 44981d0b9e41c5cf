#pragma once
// The workbench window. Only wires: the Runs list and open run/compare documents in the
// centre, the Jobs dock, the actions with their shortcuts, and the remembered layout. The
// services (catalog, jobs, stream) are owned by the caller (app/workbench/main.cpp).

#include "job_manager.h"
#include "run_catalog.h"

#include <QMainWindow>

#include <set>

class QLabel;
class QTabWidget;
class QWidget;

namespace slim::ui {

class CompareView;
class JobsView;
class RunView;
class RunsView;
class SweepDialog;
class WelcomePage;

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    MainWindow(services::RunCatalog *catalog, services::JobManager *jobs,
               services::MetricStream *stream, QWidget *parent = nullptr);

    // The window's parts, for tests and screenshots.
    RunsView *runsView() const { return m_runs; }
    JobsView *jobsView() const { return m_jobsView; }
    QTabWidget *documents() const { return m_documents; }
    RunView *openRun(std::int64_t runId); // opens (or focuses) the run's view
    QWidget *documentAt(int index) const;  // the document of a tab (inside its scroll area)
    CompareView *compareRuns(const QList<qint64> &runIds);
    void runDemo();
    void newRun();
    // Opens New sweep; its sweep is queued as one job per run (JobManager::submitSweep).
    SweepDialog *newSweep();
    // Asks for an adapter folder (and its base model when the adapter does not name one here)
    // and opens New run with the spec that evaluates it (init_adapter, no training steps).
    void importAdapter();
    // When jobs are active: false leaves closing to the user's answer (see closeEvent). Tests
    // replace the question.
    void setCloseConfirmer(std::function<bool(int activeJobs)> confirmer);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createActions();
    void onDetailLoaded(const services::RunDetailPtr &detail);
    void onRunsListed(const services::RunSummaries &runs);
    void onJobFinished(const services::JobInfo &job);
    void duplicateRun(std::int64_t runId);
    void openNewRunDialog(const QString &specJson, std::optional<std::int64_t> parentRunId,
                          const QString &name = {}, const QStringList &tags = {});
    void resumeRun(std::int64_t runId);
    void closeDocument(int index);
    void restoreLayout();
    void saveLayout() const;

    services::RunCatalog *m_catalog;
    services::JobManager *m_jobs;
    services::MetricStream *m_stream;
    QTabWidget *m_documents;
    RunsView *m_runs;
    WelcomePage *m_welcome;
    JobsView *m_jobsView;
    QLabel *m_statusRuns;
    CompareView *m_compare = nullptr;
    std::set<std::int64_t> m_compareIds;  // runs whose detail the compare view waits for
    std::set<std::int64_t> m_duplicateIds; // runs whose spec a "duplicate and edit" waits for
    std::function<bool(int)> m_confirmClose;
};

} // namespace slim::ui
