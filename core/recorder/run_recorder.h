#pragma once
// The one recorder: turns a run's observer events into run-store rows, and serves the store's
// base-score cache to the evaluator. slimctl and the GUI's job thread both use it. Lives on the
// job's thread with its own RunStore connection (one connection per thread).

#include "events/run_observer.h"
#include "pipeline/score_cache.h"
#include "store/run_store.h"

#include <chrono>
#include <map>
#include <optional>

namespace slim::store {

class RunRecorder : public engine::RunObserver, public engine::ScoreCache
{
public:
    RunRecorder(RunStore &store, std::int64_t runId);

    std::int64_t runId() const { return m_runId; }
    void started();                                  // status running
    void finished(const engine::RunOutcome &outcome); // status (the summary is written with
                                                      // the final evaluation)

    void prepared(const engine::RunPrepared &p) override;
    void metrics(const std::vector<engine::MetricSample> &samples) override;
    void routing(std::int64_t step, const std::string &probe,
                 const std::vector<engine::RoutingReport> &reports) override;
    void clusters(std::int64_t step, const std::string &probe,
                  const std::vector<engine::ClusterReport> &reports) override;
    void evalResults(const std::vector<engine::EvalRecord> &records) override;
    void checkpointSaved(std::int64_t step, const std::string &path, const std::string &sha256,
                         std::int64_t bytes) override;
    void artifactSaved(const std::string &kind, const std::string &path,
                       const std::string &sha256, std::int64_t bytes) override;
    void progress(const engine::ProgressInfo &p) override;

    std::optional<std::vector<engine::ScoreRow>> find(const engine::TaskScoreKey &key) override;
    void put(const engine::TaskScoreKey &key, const std::vector<engine::ScoreRow> &rows) override;

private:
    RunStore &m_store;
    std::int64_t m_runId;
    std::chrono::steady_clock::time_point m_lastProgress;
    std::optional<std::int64_t> m_keepCheckpoints; // the spec's, read at the first checkpoint
};

} // namespace slim::store
