#include "run_recorder.h"

#include "checkpoint_retention.h"

#include "event_rows.h"

#include "scores/run_summary.h"
#include "store/database.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>

namespace slim::store {

using namespace std::chrono_literals;

RunRecorder::RunRecorder(RunStore &store, std::int64_t runId)
    : m_store(store)
    , m_runId(runId)
    , m_lastProgress(std::chrono::steady_clock::now() - 1h)
{}

void RunRecorder::started()
{
    m_store.startRun(m_runId);
}

void RunRecorder::finished(const engine::RunOutcome &outcome)
{
    const auto status = outcome.status == engine::RunStatus::Succeeded ? RunStatus::Succeeded
                        : outcome.status == engine::RunStatus::Cancelled ? RunStatus::Cancelled
                                                                         : RunStatus::Failed;
    m_store.setStatus(m_runId, status,
                      outcome.status == engine::RunStatus::Succeeded ? "" : outcome.message,
                      outcome.detail);
}

void RunRecorder::prepared(const engine::RunPrepared &p)
{
    auto versions = p.versions;
    versions["sqlite"] = sqliteLibraryVersion();
    nlohmann::json hashes(p.dataset_hashes);
    if (!p.model_hash.empty())
        hashes["base_model"] = p.model_hash;
    m_store.setEnvironment(m_runId, p.device, nlohmann::json(versions).dump(), hashes.dump());
}

void RunRecorder::metrics(const std::vector<engine::MetricSample> &samples)
{
    m_store.appendMetrics(m_runId, toMetricRows(samples));
}

void RunRecorder::routing(std::int64_t step, const std::string &probe,
                          const std::vector<engine::RoutingReport> &reports)
{
    auto rows = toRoutingRows(step, probe, reports);
    m_store.appendRoutingLayerStats(m_runId, rows.layers);
    m_store.appendRoutingExpertStats(m_runId, rows.experts);
}

void RunRecorder::clusters(std::int64_t step, const std::string &probe,
                           const std::vector<engine::ClusterReport> &reports)
{
    auto rows = toClusterRows(step, probe, reports);
    m_store.appendClusterLayerStats(m_runId, rows.layers);
    if (!rows.centres.empty())
        m_store.appendClusterCentres(m_runId, rows.centres);
}

void RunRecorder::evalResults(const std::vector<engine::EvalRecord> &records)
{
    m_store.appendEvalResults(m_runId, toEvalRows(records));
    if (!records.empty() && records.front().is_final) {
        // The summary the runs table shows: core/scores' rule over what was just stored.
        const auto s = scores::summarise(scores::readRunScores(m_store, m_runId, true));
        m_store.setSummary(m_runId, s.downstream, s.general, s.forgetting);
    }
}

void RunRecorder::checkpointSaved(std::int64_t step, const std::string &path,
                                  const std::string &sha256, std::int64_t bytes)
{
    m_store.addCheckpoint(m_runId, {step, path, sha256, bytes, {}});
    if (!m_keepCheckpoints) {
        const auto run = m_store.getRun(m_runId);
        m_keepCheckpoints = run ? keepCheckpointsOf(*run) : 3;
    }
    pruneCheckpoints(m_store, m_runId, *m_keepCheckpoints);
}

void RunRecorder::artifactSaved(const std::string &kind, const std::string &path,
                                const std::string &sha256, std::int64_t bytes)
{
    m_store.addArtifact(m_runId, {kind, path, sha256, bytes, {}});
}

void RunRecorder::progress(const engine::ProgressInfo &p)
{
    // At most once a second: progress doubles as the heartbeat.
    const auto now = std::chrono::steady_clock::now();
    if (now - m_lastProgress < 1s && p.done != p.total)
        return;
    m_lastProgress = now;
    if (p.phase == "train" || p.phase == "pretrain")
        m_store.updateProgress(m_runId, p.done, p.total,
                               p.total > 0 ? double(p.done) / double(p.total) : 0.0);
    else
        m_store.heartbeat(m_runId);
}

std::optional<std::vector<engine::ScoreRow>> RunRecorder::find(const engine::TaskScoreKey &key)
{
    auto rows = m_store.baseScores(key.model_hash, key.task, key.split, key.task_version);
    if (rows.empty())
        return std::nullopt;
    std::vector<engine::ScoreRow> out;
    for (const auto &r : rows)
        out.push_back({r.key.metric, r.key.mode, r.key.templateHash, r.key.shots, r.value,
                       r.stderr_.value_or(NAN), r.n});
    return out;
}

void RunRecorder::put(const engine::TaskScoreKey &key, const std::vector<engine::ScoreRow> &rows)
{
    for (const auto &r : rows) {
        BaseScoreRow row;
        row.key = {key.model_hash, key.task, key.split, r.metric, r.mode,
                   r.template_hash, r.shots, key.task_version};
        row.value = r.value;
        if (std::isfinite(r.std_error))
            row.stderr_ = r.std_error;
        row.n = r.n;
        m_store.putBaseScore(row);
    }
}

} // namespace slim::store
