#pragma once
// The metrics table family of the run store: metric_names, metrics and metric_rollups.

#include "store/database.h"
#include "store/run_records.h"

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace slim::store {

namespace detail {
struct ResolvedMetric;
}

// Training series: batched appends and downsampled reads. Part of RunStore, whose rules it
// follows (thread affinity, one transaction per write, StoreError when the run does not
// exist); borrows a migrated Database that must outlive it.
class MetricTables
{
public:
    explicit MetricTables(Database &db)
        : m_db(&db)
    { }

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

private:
    static constexpr int kRollupShift = 6; // rollup buckets of 64 steps
    void updateRollups(std::int64_t runId, const std::vector<detail::ResolvedMetric> &rows);
    std::optional<std::vector<SeriesBucket>>
    seriesFromRollups(std::int64_t runId, const std::string &name, int maxPoints);
    // Ids of metric names, created as needed inside the caller's transaction. Known ids are
    // cached across calls; new ones only after commit (a rollback would orphan them).
    std::int64_t metricNameId(const std::string &name,
                              std::unordered_map<std::string, std::int64_t> &created);

    Database *m_db;
    std::unordered_map<std::string, std::int64_t> m_metricNameIds;
};

} // namespace slim::store
