#pragma once
// The run store: every run, its settings, series, scores and files, in one SQLite file.

#include "store/database.h"
#include "store/run_records.h"
#include "store/store_error.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace slim::store {

// Queries and writes of the run store on one connection, which it owns. Opening migrates the
// file to the current schema (see migrations.h).
//
// Thread affinity: one RunStore per thread (it owns a Database; see there). The recorder writes
// through its own RunStore; the UI reads through another, on another thread.
// Every write method is one transaction: batched appends are all-or-nothing, and a StoreError
// leaves the database as before the call. Methods taking a run id throw StoreError when the
// run does not exist (appends fail on the foreign key).
class RunStore
{
public:
    explicit RunStore(const std::string &path);
    explicit RunStore(Database db); // migrates `db`
    RunStore(RunStore &&) noexcept = default;
    RunStore &operator=(RunStore &&) noexcept = default;

    Database &database() { return m_db; }

    // --- runs -----------------------------------------------------------------------------
    // Inserts `run` (status, spec, reproducibility fields, tags, notes, parent) and returns its
    // id. created_at, and heartbeat_at/pid/host (the queueing process), are set by the store.
    std::int64_t createRun(const RunRecord &run);
    // status=running, started_at (first start only), heartbeat, pid and host of this process.
    void startRun(std::int64_t runId);
    // Terminal statuses set finished_at; message/detail replace the error fields ("" clears).
    void setStatus(std::int64_t runId, RunStatus status, const std::string &message = {},
                   const std::string &detail = {});
    // Also refreshes the heartbeat. progress is clamped to 0..1.
    void updateProgress(std::int64_t runId, std::int64_t step, std::int64_t totalSteps,
                        double progress);
    void heartbeat(std::int64_t runId);
    // The reproducibility fields known only once the job runs (device chosen, libraries
    // loaded, datasets hashed). JSON is stored as given; "" keeps "{}" / NULL.
    void setEnvironment(std::int64_t runId, const std::string &device,
                        const std::string &versionsJson, const std::string &datasetHashesJson);
    void setSummary(std::int64_t runId, std::optional<double> downstreamAvg,
                    std::optional<double> generalAvg, std::optional<double> forgettingAvg);
    void setNotes(std::int64_t runId, const std::string &notes);
    void addTag(std::int64_t runId, const std::string &tag); // no-op when present
    void removeTag(std::int64_t runId, const std::string &tag); // no-op when absent
    std::vector<std::string> tags(std::int64_t runId); // sorted
    std::vector<std::string> allTags(); // sorted, distinct

    std::optional<RunRecord> getRun(std::int64_t runId);
    // Reads runs and run_tags only, never the series.
    std::vector<RunSummary> listRuns(const RunFilter &filter = {});
    // Deletes the run and, by cascade, everything recorded for it. Files are not touched.
    // Returns false when there was no such run.
    bool deleteRun(std::int64_t runId);

    // Runs left queued/running by a process that is gone become interrupted (finished_at set,
    // error_message filled if empty): a run whose pid is not alive on this host, or a running
    // run whose heartbeat is older than `heartbeatTimeout`. A queued run may wait behind another
    // job for hours, so its heartbeat only counts when its process is on another host or
    // unknown. Runs of the calling process are skipped. Returns the ids marked.
    std::vector<std::int64_t> markInterruptedRuns(std::chrono::seconds heartbeatTimeout
                                                  = std::chrono::seconds(300));

    // --- series ---------------------------------------------------------------------------
    // Last write wins for a repeated (run, name, step).
    void appendMetrics(std::int64_t runId, const std::vector<MetricRow> &rows);
    std::vector<std::string> metricNames(std::int64_t runId); // sorted
    // The series for display: every row when it has at most maxPoints rows in `steps`, else at
    // most maxPoints buckets of equal step width, each with min, max and last value, so spikes
    // survive downsampling. Ordered by step. maxPoints >= 1. A whole series (default `steps`)
    // that needs downsampling is read from the 64-step rollups: bucket edges then fall on
    // multiples of 64 steps (so there may be fewer than maxPoints buckets), and a 1M-point
    // series loads from ~16k rows.
    std::vector<SeriesBucket> series(std::int64_t runId, const std::string &name, int maxPoints,
                                     const StepRange &steps = {});
    std::int64_t metricCount(std::int64_t runId);

    // --- evaluation -----------------------------------------------------------------------
    // Replaces rows with the same (task, split, metric, mode, step, isFinal).
    void appendEvalResults(std::int64_t runId, const std::vector<EvalRow> &rows);
    // Ordered by task, split, metric, step.
    std::vector<EvalRow> evalResults(std::int64_t runId, const EvalFilter &filter = {});
    std::optional<BaseScoreRow> baseScore(const BaseScoreKey &key);
    // Every cached score of one task of one model (all metrics, modes, templates, shots),
    // ordered by metric, mode, template, shots.
    std::vector<BaseScoreRow> baseScores(const std::string &modelHash, const std::string &task,
                                         const std::string &split, const std::string &taskVersion);
    // Every cached score of one model, ordered by task, split, version, metric, mode, template.
    std::vector<BaseScoreRow> baseScoresOfModel(const std::string &modelHash);
    void putBaseScore(const BaseScoreRow &row); // insert or replace (upsert)

    // --- routing and clusters (replace rows with the same key) ----------------------------
    void appendRoutingLayerStats(std::int64_t runId, const std::vector<RoutingLayerRow> &rows);
    void appendRoutingExpertStats(std::int64_t runId, const std::vector<RoutingExpertRow> &rows);
    void appendClusterLayerStats(std::int64_t runId, const std::vector<ClusterLayerRow> &rows);
    void appendClusterCentres(std::int64_t runId, const std::vector<ClusterCentreRow> &rows);
    // Ordered by step, probe, layer, site (, expert). An empty probe means every probe.
    std::vector<RoutingLayerRow> routingLayerStats(std::int64_t runId, const StepRange &steps = {},
                                                   const std::string &probe = {});
    std::vector<RoutingExpertRow> routingExpertStats(std::int64_t runId,
                                                     const StepRange &steps = {},
                                                     const std::string &probe = {});
    std::vector<ClusterLayerRow> clusterLayerStats(std::int64_t runId, const StepRange &steps = {},
                                                   const std::string &probe = {});
    // layer < 0 means every layer. Ordered by step, layer, cluster.
    std::vector<ClusterCentreRow> clusterCentres(std::int64_t runId, const StepRange &steps = {},
                                                 std::int64_t layer = -1);

    // --- files ----------------------------------------------------------------------------
    void addCheckpoint(std::int64_t runId, const CheckpointRow &row); // replaces the same step
    std::optional<CheckpointRow> latestCheckpoint(std::int64_t runId);
    std::vector<CheckpointRow> checkpoints(std::int64_t runId); // by step
    // Throws StoreError when the run has no checkpoint at `step`.
    void setCheckpointPinned(std::int64_t runId, std::int64_t step, bool pinned);
    void removeCheckpoint(std::int64_t runId, std::int64_t step); // the row only
    // Steps at which the run has evaluation results (its evaluated checkpoints).
    std::vector<std::int64_t> evaluatedSteps(std::int64_t runId);
    void addArtifact(std::int64_t runId, const ArtifactRow &row);
    std::vector<ArtifactRow> artifacts(std::int64_t runId); // in insertion order

private:
    struct ResolvedMetric;
    static constexpr int kRollupShift = 6;              // rollup buckets of 64 steps
    void updateRollups(std::int64_t runId, const std::vector<ResolvedMetric> &rows);
    std::optional<std::vector<SeriesBucket>> seriesFromRollups(std::int64_t runId,
                                                               const std::string &name,
                                                               int maxPoints);
    // Ids of metric names, created as needed inside the caller's transaction. Known ids are
    // cached across calls; new ones only after commit (a rollback would orphan them).
    std::int64_t metricNameId(const std::string &name,
                              std::unordered_map<std::string, std::int64_t> &created);

    Database m_db;
    std::unordered_map<std::string, std::int64_t> m_metricNameIds;
};

} // namespace slim::store
