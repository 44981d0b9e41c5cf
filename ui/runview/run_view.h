#pragma once
// The Run view: one run, live while it trains and afterwards. A header (name, method, status,
// progress) over the tabs "Curves", "Routing", "Clusters", "Forgetting" and "Details".
//
// Loading protocol (so no live row is missed or drawn twice):
//   1. watchRun(id)          subscribes to the MetricStream for the run (before the read);
//   2. catalog.requestDetail(id), then setDetail(detail) with the result;
//   3. a 40 ms timer drains the subscription and hands each increment to every tab, which
//      keeps only rows after what it already shows (by step). Nothing is drained before the
//      detail of the watched run arrives: rows wait in the subscription meanwhile.
// A finished run (per its detail) is not watched. setRecord() keeps the header current from
// the run list; when the run reaches a terminal status the view emits runFinished, so the
// owner can reload the detail (final evaluation, checkpoints and artifacts).
//
// GUI thread only. The MetricStream is not owned and must outlive the view.

#include "metric_stream.h"
#include "run_data.h"

#include <QTimer>
#include <QWidget>

#include <cstdint>
#include <optional>

class QLabel;
class QProgressBar;
class QStackedWidget;
class QTabWidget;

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
    ~RunView() override; // unsubscribes

    // Starts receiving live increments of `runId` (call before requesting its detail). The
    // view shows "Loading…" until setDetail delivers that run.
    void watchRun(std::int64_t runId);
    // A full load from RunCatalog::requestDetail: replaces everything shown. Watches the run
    // when it is queued or running (subscribing late if watchRun was not called), else stops.
    void setDetail(const services::RunDetailPtr &detail);
    // Refreshes the header (status, progress) from the live run list; other runs are ignored.
    void setRecord(const store::RunSummary &summary);
    void clear(); // no run: the placeholder text

    std::int64_t runId() const { return m_runId; } // 0 when no run
    bool isWatching() const { return m_subscription.has_value(); }

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
    void subscribe(std::int64_t runId);
    void unsubscribe();
    void drainLive();
    void showPlaceholder(const QString &text);
    void updateHeader();

    services::MetricStream *m_stream;
    std::optional<services::MetricStream::SubscriptionId> m_subscription;
    std::int64_t m_subscribedRun = 0;
    std::int64_t m_runId = 0;
    services::RunDetailPtr m_detail; // the shown run's last full load
    bool m_staleReported = false; // detailStale sent for this detail
    QTimer m_drainTimer;

    // Header state: the detail's record, then newer values from setRecord / live steps.
    store::RunStatus m_status = store::RunStatus::Queued;
    std::int64_t m_step = 0;
    std::int64_t m_totalSteps = 0;
    QString m_error;

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
