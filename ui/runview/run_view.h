#pragma once
// The Run view: one run, live while it trains and afterwards. A header (name, method, status,
// progress) over the tabs "Curves", "Routing", "Clusters", "Forgetting" and "Details".
//
// The view holds no rows: its RunSession (app/services/run_session.h) owns the run's detail
// and the live rows merged into it, and every tab renders from the session.
// Loading protocol (so no live row is missed or drawn twice; details in run_session.h):
//   1. watchRun(id)          subscribes to the MetricStream for the run (before the read);
//   2. catalog.requestDetail(id), then setDetail(detail) with the result;
//   3. every 40 ms the session drains the subscription and merges each increment once; the
//      tabs draw what it added. Nothing is drained before the detail of the watched run
//      arrives: rows wait in the subscription meanwhile.
// A finished run (per its detail) is not watched. setRecord() keeps the header current from
// the run list; when the run reaches a terminal status the view emits runFinished, so the
// owner can reload the detail (final evaluation, checkpoints and artifacts).
//
// GUI thread only. The MetricStream is not owned and must outlive the view.

#include "metric_stream.h"
#include "run_data.h"

#include <QWidget>

#include <cstdint>

class QLabel;
class QProgressBar;
class QStackedWidget;
class QTabWidget;

namespace slim::services {
class RunSession;
}

namespace slim::ui {

class ClusterDriftView;
class CurvesView;
class DetailsView;
class ForgettingView;
class RoutingView;

class RunView : public QWidget
{
    Q_OBJECT
public:
    explicit RunView(services::MetricStream *stream, QWidget *parent = nullptr);
    ~RunView() override;

    // Starts receiving live increments of `runId` (call before requesting its detail). The
    // view shows "Loading…" until setDetail delivers that run.
    void watchRun(std::int64_t runId);
    // A full load from RunCatalog::requestDetail: replaces everything shown. Watches the run
    // when it is queued or running (subscribing late if watchRun was not called), else stops.
    void setDetail(const services::RunDetailPtr &detail);
    // Refreshes the header (status, progress) from the live run list; other runs are ignored.
    void setRecord(const store::RunSummary &summary);
    void clear(); // no run: the placeholder text

    std::int64_t runId() const; // 0 when no run
    bool isWatching() const;
    // The run shown: its detail and live rows, read by every tab.
    const services::RunSession *session() const { return m_session; }

    // Tabs by title: "Curves", "Routing", "Clusters", "Forgetting", "Details".
    QString currentTab() const;
    void setCurrentTab(const QString &title);
    QTabWidget *tabs() const { return m_tabs; } // object name "runTabs"

    CurvesView *curves() const { return m_curves; }
    RoutingView *routing() const { return m_routing; }
    ClusterDriftView *clusters() const { return m_clusters; }
    ForgettingView *forgetting() const { return m_forgetting; }
    DetailsView *details() const { return m_details; }

Q_SIGNALS:
    // From the Details tab: pin or unpin a checkpoint, prune by the run's retention policy.
    void checkpointPinRequested(std::int64_t runId, std::int64_t step, bool pinned);
    void pruneRequested(std::int64_t runId);
    // The shown run went from queued/running to a terminal status (seen through setRecord).
    void runFinished(std::int64_t runId);
    // Live general-suite scores arrived but the loaded detail has no base-model scores to
    // compare them with (it was read before the run's base-eval phase): reload the detail.
    void detailStale(std::int64_t runId);

private:
    void showRun(); // the session's detail changed
    void showPlaceholder(const QString &text);
    void updateHeader();

    services::RunSession *m_session;
    QStackedWidget *m_stack;
    QLabel *m_placeholder;
    QLabel *m_name;
    QLabel *m_method;
    QLabel *m_statusLabel;
    QProgressBar *m_progress;
    QTabWidget *m_tabs;
    CurvesView *m_curves;
    RoutingView *m_routing;
    ClusterDriftView *m_clusters;
    ForgettingView *m_forgetting;
    DetailsView *m_details;
};

} // namespace slim::ui
