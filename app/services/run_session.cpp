#include "run_session.h"

#include <algorithm>
#include <cmath>

namespace slim::services {

namespace {

constexpr int kDrainIntervalMs = 40;

bool isLive(store::RunStatus status)
{
    return status == store::RunStatus::Queued || status == store::RunStatus::Running;
}

// The record fields the run list refreshes, as the views show them.
auto listedFields(const store::RunRecord &r)
{
    return std::tie(r.status, r.startedAt, r.finishedAt, r.currentStep, r.totalSteps,
                    r.errorMessage);
}

bool sameValue(double a, double b)
{
    return a == b || (std::isnan(a) && std::isnan(b));
}

} // namespace

RunSession::RunSession(MetricStream *stream, QObject *parent)
    : QObject(parent)
    , m_stream(stream)
{
    qRegisterMetaType<slim::services::LiveUpdate>();
    m_drainTimer.setInterval(kDrainIntervalMs);
    connect(&m_drainTimer, &QTimer::timeout, this, &RunSession::drainLive);
}

RunSession::~RunSession()
{
    unsubscribe();
}

void RunSession::subscribe(std::int64_t runId)
{
    unsubscribe();
    if (!m_stream)
        return;
    m_subscription = m_stream->subscribe(runId);
    m_subscribedRun = runId;
    m_drainTimer.start();
}

void RunSession::unsubscribe()
{
    m_drainTimer.stop();
    if (m_subscription && m_stream)
        m_stream->unsubscribe(*m_subscription);
    m_subscription.reset();
    m_subscribedRun = 0;
}

void RunSession::resetRows()
{
    m_loaded.reset();
    m_merged = RunDetail {};
    m_evalAt.clear();
    m_routing.clear();
    m_clusters.clear();
    m_liveStep = 0;
    m_liveStarted = false;
    m_staleReported = false;
    invalidateScores();
}

void RunSession::watch(std::int64_t runId)
{
    if (!(m_subscription && m_subscribedRun == runId))
        subscribe(runId);
    if (m_runId == runId && (!m_loaded || m_loaded->record.id == runId))
        return; // already showing it, or already waiting for it
    resetRows();
    m_runId = runId;
    Q_EMIT detailChanged();
}

void RunSession::setDetail(const RunDetailPtr &detail)
{
    if (!detail) {
        clear();
        return;
    }
    const auto &record = detail->record;
    if (!isLive(record.status))
        unsubscribe();
    else if (!(m_subscription && m_subscribedRun == record.id))
        subscribe(record.id);
    resetRows();
    m_runId = record.id;
    m_loaded = detail;
    m_merged.record = record;
    m_merged.series = detail->series; // downsampled: at most the requested points per metric
    m_merged.baseScores = detail->baseScores;
    m_merged.data.runId = detail->data.runId;
    mergeEvals(detail->data.evals);
    m_routing.add(detail->data.routingLayers, detail->data.routingExperts);
    // An aliasing pointer: the index points into the detail's rows and keeps it alive.
    m_clusters.add(std::shared_ptr<const RunData>(detail, &detail->data));
    Q_EMIT detailChanged();
}

void RunSession::setRecord(const store::RunSummary &summary)
{
    if (!m_loaded || summary.id != m_runId)
        return;
    const bool wasLive = isLive(status());
    auto &record = m_merged.record;
    const bool changed = listedFields(record)
        != std::tie(summary.status, summary.startedAt, summary.finishedAt, summary.currentStep,
                    summary.totalSteps, summary.errorMessage);
    record.status = summary.status;
    record.startedAt = summary.startedAt;
    record.finishedAt = summary.finishedAt;
    record.currentStep = summary.currentStep;
    record.totalSteps = summary.totalSteps;
    record.progress = summary.progress;
    record.errorMessage = summary.errorMessage;
    if (changed) {
        invalidateScores(); // the score functions read the record
        Q_EMIT recordChanged();
    }
    if (wasLive && store::isTerminal(summary.status)) {
        drainLive(); // the last increments before the owner reloads
        Q_EMIT runFinished(summary.id);
    }
}

void RunSession::clear()
{
    unsubscribe();
    resetRows();
    m_runId = 0;
    Q_EMIT detailChanged();
}

store::RunStatus RunSession::status() const
{
    const auto status = m_merged.record.status;
    return status == store::RunStatus::Queued && m_liveStarted ? store::RunStatus::Running : status;
}

std::int64_t RunSession::currentStep() const
{
    return std::max(m_merged.record.currentStep, m_liveStep);
}

const std::vector<TaskScores> &RunSession::primaryScores() const
{
    if (!m_primaryScores)
        m_primaryScores = services::primaryScores(m_merged);
    return *m_primaryScores;
}

const std::vector<TradeoffPoint> &RunSession::tradeoff() const
{
    if (!m_tradeoff)
        m_tradeoff = services::tradeoff(m_merged);
    return *m_tradeoff;
}

void RunSession::invalidateScores()
{
    m_primaryScores.reset();
    m_tradeoff.reset();
}

void RunSession::drainLive()
{
    // Before the watched run's detail arrives, rows stay in the subscription: merged now they
    // would land on the previous run, or be dropped with it when the detail replaces it.
    if (!m_subscription || !m_loaded || m_loaded->record.id != m_subscribedRun)
        return;
    RunData data = m_stream->drain(*m_subscription);
    if (!data.empty())
        appendLive(std::move(data));
}

RunSession::EvalKey RunSession::keyOf(const store::EvalRow &row)
{
    return {row.step, row.task, row.split, row.metric, row.mode, row.isFinal};
}

void RunSession::mergeMetrics(std::vector<store::MetricRow> &rows, LiveUpdate &update)
{
    for (auto &row : rows) {
        auto &buckets = m_merged.series[row.name];
        if (!buckets.empty() && row.step <= buckets.back().lastStep)
            continue; // held already (loaded, or an earlier increment)
        buckets.push_back({row.step, row.step, row.value, row.value, row.value, 1});
        m_liveStep = std::max(m_liveStep, row.step);
        m_liveStarted = true;
        update.metrics.push_back(std::move(row));
    }
}

bool RunSession::mergeEvals(const std::vector<store::EvalRow> &rows)
{
    auto &evals = m_merged.data.evals;
    bool changed = false;
    for (const auto &row : rows) {
        const auto [at, added] = m_evalAt.try_emplace(keyOf(row), evals.size());
        if (added) {
            evals.push_back(row);
            changed = true;
        } else if (!sameValue(evals[at->second].value, row.value)) {
            evals[at->second] = row;
            changed = true;
        }
    }
    if (changed)
        invalidateScores();
    return changed;
}

void RunSession::appendLive(RunData increment)
{
    if (!m_loaded)
        return;
    LiveUpdate update;
    mergeMetrics(increment.metrics, update);
    update.evalsChanged = mergeEvals(increment.evals);
    update.routingChanged = m_routing.add(increment.routingLayers, increment.routingExperts);
    if (!increment.clusterLayers.empty() || !increment.clusterCentres.empty()) {
        // The index points into the rows it takes and keeps them: moved, not copied.
        auto clusters = std::make_shared<RunData>();
        clusters->runId = increment.runId;
        clusters->clusterLayers = std::move(increment.clusterLayers);
        clusters->clusterCentres = std::move(increment.clusterCentres);
        update.clustersChanged = m_clusters.add(std::move(clusters));
    }
    const bool liveGeneral
        = std::any_of(increment.evals.begin(), increment.evals.end(),
                      [](const auto &e) { return e.kind == store::TaskKind::General; });
    if (liveGeneral && m_merged.baseScores.empty() && !m_staleReported) {
        m_staleReported = true; // once per load
        Q_EMIT detailStale(m_runId);
    }
    if (!update.empty())
        Q_EMIT liveMerged(update);
}

} // namespace slim::services
