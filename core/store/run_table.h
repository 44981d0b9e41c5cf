#pragma once
// The runs table family of the run store: runs and run_tags.

#include "store/database.h"
#include "store/run_records.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace slim::store {

// Run lifecycle, reproducibility fields, tags, notes, listing and interrupted runs. Part of
// RunStore, whose rules it follows (thread affinity, one transaction per write, StoreError when
// the run does not exist); borrows a migrated Database that must outlive it.
class RunTable
{
public:
    explicit RunTable(Database &db)
        : m_db(&db)
    { }

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
    // The run with this uuid (runs are merged between databases by it).
    std::optional<std::int64_t> findRunByUuid(const std::string &uuid);
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

private:
    Database *m_db;
};

} // namespace slim::store
