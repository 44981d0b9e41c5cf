#include "job_observer.h"

#include "recorder/event_rows.h"

#include <QMetaObject>

namespace slim::services {

using namespace std::chrono_literals;

namespace {
constexpr auto kProgressInterval = 100ms; // at most ~10 updates a second
}

JobObserver::JobObserver(std::int64_t runId, MetricStream *stream, QObject *context,
                         std::function<void(const engine::ProgressInfo &)> onProgress,
                         std::function<void(const std::string &)> onLog)
    : m_runId(runId)
    , m_stream(stream)
    , m_context(context)
    , m_onProgress(std::move(onProgress))
    , m_onLog(std::move(onLog))
    , m_lastProgress(std::chrono::steady_clock::now() - 1h)
{}

void JobObserver::push(const std::function<void(RunData &)> &fill)
{
    RunData d;
    d.runId = m_runId;
    fill(d);
    m_stream->push(std::move(d));
}

void JobObserver::metrics(const std::vector<engine::MetricSample> &samples)
{
    push([&](RunData &d) { d.metrics = store::toMetricRows(samples); });
}

void JobObserver::routing(std::int64_t step, const std::string &probe,
                          const std::vector<engine::RoutingReport> &reports)
{
    push([&](RunData &d) {
        auto rows = store::toRoutingRows(step, probe, reports);
        d.routingLayers = std::move(rows.layers);
        d.routingExperts = std::move(rows.experts);
    });
}

void JobObserver::clusters(std::int64_t step, const std::string &probe,
                           const std::vector<engine::ClusterReport> &reports)
{
    push([&](RunData &d) {
        auto rows = store::toClusterRows(step, probe, reports);
        d.clusterLayers = std::move(rows.layers);
        d.clusterCentres = std::move(rows.centres);
    });
}

void JobObserver::evalResults(const std::vector<engine::EvalRecord> &records)
{
    push([&](RunData &d) { d.evals = store::toEvalRows(records); });
}

void JobObserver::progress(const engine::ProgressInfo &p)
{
    const auto now = std::chrono::steady_clock::now();
    const bool boundary = p.phase != m_lastPhase || p.done == p.total;
    if (!boundary && now - m_lastProgress < kProgressInterval)
        return;
    m_lastProgress = now;
    m_lastPhase = p.phase;
    post([f = m_onProgress, p] { f(p); });
}

void JobObserver::log(const std::string &line)
{
    post([f = m_onLog, line] { f(line); });
}

void JobObserver::post(std::function<void()> call)
{
    if (m_context)
        QMetaObject::invokeMethod(m_context.data(), std::move(call), Qt::QueuedConnection);
}

} // namespace slim::services
