#pragma once
// One run as the Run view shows it, loaded and live: the one reading of the run that every tab
// renders from. The session owns the run's last full load (RunCatalog::requestDetail), merges
// the live increments of the MetricStream into it once, and indexes the routing and cluster
// rows once for all tabs. Tabs keep no copies of rows: they redraw from the session on
// detailChanged and append what liveMerged reports.
//
// Loading protocol (so no live row is missed or merged twice):
//   1. watch(id)       subscribes to the MetricStream for the run, before the store read;
//   2. catalog.requestDetail(id), then setDetail(detail) with the result;
//   3. a 40 ms timer drains the subscription and merges each increment (rule below). Nothing
//      is drained before the watched run's detail arrives: rows wait in the subscription.
// A run whose detail says it is finished is not watched. setRecord() keeps the record current
// from the run list; when the run reaches a terminal status the session drains what is left
// and emits runFinished, so the owner can reload the detail (final evaluation, checkpoints).
//
// Merge rule, the one place live rows are deduplicated: the subscription starts before the
// read, so the first drains may repeat rows the read returned. A metric row at or before the
// last step its series holds is dropped (loaded series are downsampled buckets, so a step has
// no row of its own to compare with). An eval, routing or cluster row replaces the held row
// with its key (eval: step, task, split, metric, mode, final; routing: probe, site, step,
// layer[, expert]; clusters: step, layer, cluster and step, probe, layer): the later row wins,
// as in the store (INSERT OR REPLACE), and a repeat of a held row changes nothing.
//
// GUI thread only. The MetricStream is not owned and must outlive the session; it may be null
// (no live feed; appendLive still merges).

#include "cluster_index.h"
#include "metric_stream.h"
#include "routing_index.h"
#include "run_data.h"
#include "run_scores.h"

#include <QObject>
#include <QTimer>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace slim::services {

// What one merged increment added to the session (rows it already held are not in it).
struct LiveUpdate
{
    std::vector<store::MetricRow> metrics; // rows after their series' last step, as they came
    bool evalsChanged = false; // evals(), primaryScores() and tradeoff() changed
    bool routingChanged = false; // routing() has new or changed cells
    bool clustersChanged = false; // clusters() has new or changed rows
    bool empty() const
    {
        return metrics.empty() && !evalsChanged && !routingChanged && !clustersChanged;
    }
};

class RunSession : public QObject
{
    Q_OBJECT
public:
    using SeriesMap = std::map<std::string, std::vector<store::SeriesBucket>>;

    explicit RunSession(MetricStream *stream, QObject *parent = nullptr);
    ~RunSession() override; // unsubscribes

    // Starts receiving live increments of `runId` (call before requesting its detail). A
    // detail of another run is dropped (detailChanged) until setDetail delivers this one.
    void watch(std::int64_t runId);
    // A full load: replaces everything held. Watches the run when it is queued or running
    // (subscribing late if watch() was not called: rows recorded between the read and this
    // call then only appear at the next full load), else stops watching.
    void setDetail(const RunDetailPtr &detail);
    // The run's row of the live run list (other runs are ignored): status, times, steps, error.
    void setRecord(const store::RunSummary &summary);
    void clear(); // no run
    // Merges one live increment of the shown run, as each drain does (tests feed it directly).
    // Ignored while no detail is loaded.
    void appendLive(RunData increment);

    std::int64_t runId() const { return m_runId; } // watched or shown; 0 when none
    bool hasDetail() const { return m_loaded != nullptr; }
    bool isWatching() const { return m_subscription.has_value(); }

    // The last full load as read: spec, environment, checkpoints, artifacts, disk use. Null
    // while none. Its series, evals, routing and cluster rows are read through the accessors
    // below, which include the live rows.
    const RunDetailPtr &loaded() const { return m_loaded; }
    // The loaded record, kept current by setRecord.
    const store::RunRecord &record() const { return m_merged.record; }
    // The record's status, except that a queued run whose live metrics arrive is running.
    store::RunStatus status() const;
    // The record's step, or the newest live metric step when later (the list is polled).
    std::int64_t currentStep() const;

    const SeriesMap &series() const { return m_merged.series; } // loaded buckets, then live rows
    const std::vector<store::EvalRow> &evals() const { return m_merged.data.evals; }
    const std::vector<store::BaseScoreRow> &baseScores() const { return m_merged.baseScores; }
    // services::primaryScores / tradeoff of the merged evals, computed once per change.
    const std::vector<TaskScores> &primaryScores() const;
    const std::vector<TradeoffPoint> &tradeoff() const;
    const RoutingIndex &routing() const { return m_routing; }
    const ClusterIndex &clusters() const { return m_clusters; }

Q_SIGNALS:
    // A new load, or none (cleared, or watching a run whose detail has not arrived): every view
    // redraws from the session.
    void detailChanged();
    // A live increment was merged; `update` says what it added.
    void liveMerged(const slim::services::LiveUpdate &update);
    // setRecord changed the record's status, times, steps or error.
    void recordChanged();
    // The shown run went from queued/running to a terminal status (seen through setRecord).
    void runFinished(std::int64_t runId);
    // Live general-suite scores arrived but the loaded detail has no base-model scores to
    // compare them with (it was read before the run's base-eval phase): reload the detail.
    void detailStale(std::int64_t runId);

private:
    using EvalKey
        = std::tuple<std::int64_t, std::string, std::string, std::string, store::ScoringMode, bool>;
    static EvalKey keyOf(const store::EvalRow &row);

    void subscribe(std::int64_t runId);
    void unsubscribe();
    void drainLive();
    void resetRows(); // drops everything held but the subscription
    void mergeMetrics(std::vector<store::MetricRow> &rows, LiveUpdate &update);
    bool mergeEvals(const std::vector<store::EvalRow> &rows);
    void invalidateScores();

    MetricStream *m_stream;
    std::optional<MetricStream::SubscriptionId> m_subscription;
    std::int64_t m_subscribedRun = 0;
    QTimer m_drainTimer;

    std::int64_t m_runId = 0;
    RunDetailPtr m_loaded;
    // What the score functions read, merged: record, base scores, series and evals (the
    // routing and cluster rows are in the indices, the rest in m_loaded).
    RunDetail m_merged;
    std::map<EvalKey, std::size_t> m_evalAt; // index into m_merged.data.evals
    RoutingIndex m_routing;
    ClusterIndex m_clusters;
    std::int64_t m_liveStep = 0; // newest live metric step
    bool m_liveStarted = false; // live metrics arrived (a queued run has started)
    bool m_staleReported = false; // detailStale sent for this load

    mutable std::optional<std::vector<TaskScores>> m_primaryScores;
    mutable std::optional<std::vector<TradeoffPoint>> m_tradeoff;
};

} // namespace slim::services

Q_DECLARE_METATYPE(slim::services::LiveUpdate)
