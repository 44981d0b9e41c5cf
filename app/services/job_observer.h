#pragma once
// The observer a job thread gives the engine (besides the recorder): live rows to the
// MetricStream, progress and log lines to the JobManager, throttled at the source.
// Private to slim_services. Called on the job thread; hands over to the GUI thread by queued
// invocation only.

#include "metric_stream.h"
#include "events/run_observer.h"

#include <QPointer>

#include <chrono>
#include <functional>
#include <mutex>

namespace slim::services {

class JobObserver : public engine::RunObserver
{
public:
    // `onProgress` and `onLog` run on `context`'s thread (queued).
    JobObserver(std::int64_t runId, MetricStream *stream, QObject *context,
                std::function<void(const engine::ProgressInfo &)> onProgress,
                std::function<void(const std::string &)> onLog);

    void metrics(const std::vector<engine::MetricSample> &samples) override;
    void routing(std::int64_t step, const std::string &probe,
                 const std::vector<engine::RoutingReport> &reports) override;
    void clusters(std::int64_t step, const std::string &probe,
                  const std::vector<engine::ClusterReport> &reports) override;
    void evalResults(const std::vector<engine::EvalRecord> &records) override;
    void progress(const engine::ProgressInfo &p) override;
    void log(const std::string &line) override;

private:
    void post(std::function<void()> call);
    void push(const std::function<void(RunData &)> &fill); // one increment to the stream

    std::int64_t m_runId;
    MetricStream *m_stream;
    QPointer<QObject> m_context;
    std::function<void(const engine::ProgressInfo &)> m_onProgress;
    std::function<void(const std::string &)> m_onLog;
    std::chrono::steady_clock::time_point m_lastProgress;
    std::string m_lastPhase;
};

} // namespace slim::services
