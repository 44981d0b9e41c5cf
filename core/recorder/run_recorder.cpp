#include "run_recorder.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>

namespace slim::store {

using namespace std::chrono_literals;

namespace {

ScoringMode modeOf(const std::string &name)
{
    return scoringModeFromName(name).value_or(ScoringMode::Loglikelihood);
}

} // namespace

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
    nlohmann::json hashes(p.dataset_hashes);
    if (!p.model_hash.empty())
        hashes["base_model"] = p.model_hash;
    m_store.setEnvironment(m_runId, p.device, nlohmann::json(p.versions).dump(), hashes.dump());
}

void RunRecorder::metrics(const std::vector<engine::MetricSample> &samples)
{
    std::vector<MetricRow> rows;
    rows.reserve(samples.size());
    for (const auto &s : samples)
        rows.push_back({s.step, s.name, s.value});
    m_store.appendMetrics(m_runId, rows);
}

void RunRecorder::routing(std::int64_t step, const std::string &probe,
                          const std::vector<engine::RoutingReport> &reports)
{
    std::vector<RoutingLayerRow> layers;
    std::vector<RoutingExpertRow> experts;
    for (const auto &r : reports) {
        layers.push_back({step, probe, r.layer, r.site, r.tokens, r.identity_mass,
                          r.full_identity_rate, r.router_entropy, r.load_cv2});
        for (size_t e = 0; e < r.mean_weight.size(); ++e)
            experts.push_back({step, probe, r.layer, r.site, std::int64_t(e), bool(r.is_identity[e]),
                               r.mean_weight[e], r.selection_share[e]});
    }
    m_store.appendRoutingLayerStats(m_runId, layers);
    m_store.appendRoutingExpertStats(m_runId, experts);
}

void RunRecorder::clusters(std::int64_t step, const std::string &probe,
                           const std::vector<engine::ClusterReport> &reports)
{
    std::vector<ClusterLayerRow> layers;
    std::vector<ClusterCentreRow> centres;
    for (const auto &r : reports) {
        ClusterLayerRow row;
        row.step = step;
        row.probe = probe;
        row.layer = r.layer;
        row.scored = r.scored;
        row.dplusMean = r.dplus_mean;
        row.dplusMax = r.dplus_max;
        row.dplusPositiveShare = r.dplus_positive_share;
        row.reference = r.reference;
        row.dplusHistogram = r.dplus_histogram;
        row.histogramMax = engine::ClusterReport::kHistogramMax;
        layers.push_back(row);
        // Centres move only in training: record them with the training reports.
        if (probe != "train")
            continue;
        for (size_t c = 0; c < r.sizes.size(); ++c) {
            ClusterCentreRow centre;
            centre.step = step;
            centre.layer = r.layer;
            centre.cluster = std::int64_t(c);
            centre.size = r.sizes[c];
            centre.drift = r.drift[c];
            centre.meanSigma = r.mean_sigma[c];
            centre.centre.assign(r.centres.begin() + std::ptrdiff_t(c * size_t(r.dim)),
                                 r.centres.begin() + std::ptrdiff_t((c + 1) * size_t(r.dim)));
            centres.push_back(std::move(centre));
        }
    }
    m_store.appendClusterLayerStats(m_runId, layers);
    if (!centres.empty())
        m_store.appendClusterCentres(m_runId, centres);
}

void RunRecorder::evalResults(const std::vector<engine::EvalRecord> &records)
{
    std::vector<EvalRow> rows;
    for (const auto &r : records) {
        EvalRow row;
        row.step = r.step;
        row.task = r.task;
        row.split = r.split;
        row.metric = r.metric;
        row.value = r.value;
        if (std::isfinite(r.stderr_))
            row.stderr_ = r.stderr_;
        row.n = r.n;
        row.mode = modeOf(r.mode);
        row.templateHash = r.template_hash;
        row.shots = r.shots;
        row.taskVersion = r.task_version;
        row.isFinal = r.is_final;
        row.floor = r.floor;
        row.kind = r.general ? TaskKind::General : TaskKind::Downstream;
        rows.push_back(row);
    }
    m_store.appendEvalResults(m_runId, rows);
    if (!records.empty() && records.front().is_final) {
        auto s = summarise(records);
        m_store.setSummary(m_runId, s.downstream, s.general, s.forgetting);
    }
}

void RunRecorder::checkpointSaved(std::int64_t step, const std::string &path,
                                  const std::string &sha256, std::int64_t bytes)
{
    m_store.addCheckpoint(m_runId, {step, path, sha256, bytes, {}});
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
        out.push_back({r.key.metric, std::string(scoringModeName(r.key.mode)), r.key.templateHash,
                       r.key.shots, r.value, r.stderr_.value_or(NAN), r.n});
    return out;
}

void RunRecorder::put(const engine::TaskScoreKey &key, const std::vector<engine::ScoreRow> &rows)
{
    for (const auto &r : rows) {
        BaseScoreRow row;
        row.key = {key.model_hash, key.task, key.split, r.metric, modeOf(r.mode),
                   r.template_hash, r.shots, key.task_version};
        row.value = r.value;
        if (std::isfinite(r.std_error))
            row.stderr_ = r.std_error;
        row.n = r.n;
        m_store.putBaseScore(row);
    }
}

bool isPrimaryScore(const std::string &metric, const std::string &mode,
                    const std::vector<std::string> &modesPresent)
{
    if (metric == "exact_match" || metric == "bits_per_byte")
        return true;
    if (metric != "acc")
        return false;
    const bool hasLogLikelihood = std::find(modesPresent.begin(), modesPresent.end(),
                                            "loglikelihood") != modesPresent.end();
    return mode == (hasLogLikelihood ? "loglikelihood" : "label_logits");
}

RunSummaryScores summarise(const std::vector<engine::EvalRecord> &records)
{
    std::map<std::string, std::vector<std::string>> modes;
    for (const auto &r : records)
        modes[r.task].push_back(r.mode);
    double down = 0, gen = 0, forget = 0;
    int nDown = 0, nGen = 0, nForget = 0;
    for (const auto &r : records) {
        if (!isPrimaryScore(r.metric, r.mode, modes[r.task]) || r.metric == "bits_per_byte")
            continue;
        if (!r.general) {
            down += r.value;
            ++nDown;
            continue;
        }
        gen += r.value;
        ++nGen;
        if (r.base) {
            forget += *r.base - r.value;
            ++nForget;
        }
    }
    RunSummaryScores s;
    if (nDown)
        s.downstream = down / nDown;
    if (nGen)
        s.general = gen / nGen;
    if (nForget)
        s.forgetting = forget / nForget;
    return s;
}

} // namespace slim::store
