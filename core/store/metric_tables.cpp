// MetricTables: interned metric names, the metrics series and their 64-step rollups.
#include "store/metric_tables.h"

#include "store/row_columns.h"
#include "store/statement.h"
#include "store/store_error.h"
#include "store/transaction.h"

#include <algorithm>
#include <cmath>
#include <tuple>
#include <utility>

namespace slim::store {

using namespace detail;

namespace {

// min and max as SQL computes them: NaN (NULL) values are skipped.
void widen(SeriesBucket &bucket, double lo, double hi)
{
    if (!std::isnan(lo))
        bucket.min = std::isnan(bucket.min) ? lo : std::min(bucket.min, lo);
    if (!std::isnan(hi))
        bucket.max = std::isnan(bucket.max) ? hi : std::max(bucket.max, hi);
}

// A rollup with no values yet: min, max and last are NULL.
SeriesBucket emptyRollup()
{
    return {0, 0, NAN, NAN, NAN, 0};
}

void addPoint(SeriesBucket &bucket, std::int64_t step, double value)
{
    if (bucket.count == 0 || step < bucket.firstStep)
        bucket.firstStep = step;
    if (bucket.count == 0 || step >= bucket.lastStep) {
        bucket.lastStep = step;
        bucket.last = value;
    }
    ++bucket.count;
    widen(bucket, value, value);
}

// `later` holds only steps after the last step of `bucket`.
void appendLater(SeriesBucket &bucket, const SeriesBucket &later)
{
    bucket.lastStep = later.lastStep;
    bucket.last = later.last;
    bucket.count += later.count;
    widen(bucket, later.min, later.max);
}

} // namespace

std::int64_t MetricTables::metricNameId(const std::string &name,
                                        std::unordered_map<std::string, std::int64_t> &created)
{
    if (auto it = m_metricNameIds.find(name); it != m_metricNameIds.end())
        return it->second;
    if (auto it = created.find(name); it != created.end())
        return it->second;
    // Another connection may have created the name meanwhile: insert-or-ignore, then look up.
    Statement insert(*m_db, "INSERT OR IGNORE INTO metric_names (name) VALUES (?1)");
    insert.bind(1, name);
    insert.exec();
    Statement query(*m_db, "SELECT id FROM metric_names WHERE name = ?1");
    query.bind(1, name);
    if (!query.step())
        throw StoreError("metric name '" + name + "' vanished while being created");
    const std::int64_t id = query.columnInt64(0);
    created.emplace(name, id);
    return id;
}

void MetricTables::appendMetrics(std::int64_t runId, const std::vector<MetricRow> &rows)
{
    if (rows.empty())
        return;
    Transaction transaction(*m_db);
    std::unordered_map<std::string, std::int64_t> created;
    std::vector<ResolvedMetric> resolved;
    resolved.reserve(rows.size());
    for (const MetricRow &row : rows)
        resolved.push_back({row.step, metricNameId(row.name, created), row.value});
    // In key order (name, step): each metric's rows then go in at one place of the B-tree, one
    // after another, instead of hopping between the metrics of a logging step. Stable, so of
    // two rows for the same step the later one still wins (INSERT OR REPLACE).
    std::stable_sort(resolved.begin(), resolved.end(), [](const auto &a, const auto &b) {
        return std::tie(a.nameId, a.step) < std::tie(b.nameId, b.step);
    });
    replaceRunRows(*m_db, runId, resolved); // NaN is stored as NULL by SQLite
    updateRollups(runId, resolved);
    transaction.commit();
    m_metricNameIds.merge(created);
}

void MetricTables::updateRollups(std::int64_t runId, const std::vector<ResolvedMetric> &rows)
{
    // The batch's own rollups, merged in memory with the stored ones when it only adds later
    // steps (the recorder's case). A bucket where the batch rewrites a step it already holds is
    // recomputed from the stored rows, so an overwritten value leaves no stale min or max.
    // `rows` are sorted by (name, step), so a bucket's rows are adjacent and a step given twice
    // is given in consecutive rows.
    using Key = std::pair<std::int64_t, std::int64_t>; // (name_id, bucket)
    const auto keyOf = [](const RollupRow &row) { return Key {row.nameId, row.bucket}; };
    std::vector<RollupRow> batch;
    std::vector<Key> dirty;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto &row = rows[i];
        const Key key {row.nameId, row.step >> kRollupShift};
        if (batch.empty() || keyOf(batch.back()) != key)
            batch.push_back({key.first, key.second, emptyRollup()});
        const bool repeated
            = i > 0 && rows[i - 1].nameId == row.nameId && rows[i - 1].step == row.step;
        if (repeated && (dirty.empty() || dirty.back() != key))
            dirty.push_back(key); // the same step twice in one batch: the last one was stored
        addPoint(batch.back().rollup, row.step, row.value);
    }
    const auto isDirty = [&dirty](const Key &key) {
        return std::find(dirty.begin(), dirty.end(), key) != dirty.end();
    };
    Statement stored(*m_db,
                     "SELECT " + selectList<SeriesBucket>()
                         + " FROM metric_rollups"
                           " WHERE run_id = ?1 AND name_id = ?2 AND bucket = ?3");
    std::vector<RollupRow> merged;
    merged.reserve(batch.size());
    for (RollupRow &entry : batch) {
        const Key key = keyOf(entry);
        if (isDirty(key))
            continue;
        stored.reset(true);
        stored.bind(1, runId);
        stored.bind(2, entry.nameId);
        stored.bind(3, entry.bucket);
        if (stored.step()) {
            SeriesBucket before = readRow<SeriesBucket>(stored);
            if (entry.rollup.firstStep <= before.lastStep) {
                dirty.push_back(key);
                continue;
            }
            appendLater(before, entry.rollup);
            entry.rollup = before;
        }
        merged.push_back(entry);
    }
    replaceRunRows(*m_db, runId, merged);
    if (dirty.empty())
        return;
    Statement recompute(*m_db,
                        "WITH g AS (SELECT min(step) AS fs, max(step) AS ls, min(value) AS lo,"
                        "  max(value) AS hi, count(*) AS n FROM metrics"
                        "  WHERE run_id = ?1 AND name_id = ?2 AND step BETWEEN ?4 AND ?5)"
                        " INSERT OR REPLACE INTO metric_rollups"
                        " SELECT ?1, ?2, ?3, g.fs, g.ls, g.lo, g.hi, m.value, g.n FROM g"
                        " JOIN metrics m ON m.run_id = ?1 AND m.name_id = ?2 AND m.step = g.ls");
    for (const auto &[nameId, bucket] : dirty) {
        recompute.reset(true);
        recompute.bind(1, runId);
        recompute.bind(2, nameId);
        recompute.bind(3, bucket);
        recompute.bind(4, bucket << kRollupShift);
        recompute.bind(5, ((bucket + 1) << kRollupShift) - 1);
        recompute.exec();
    }
}

std::vector<std::string> MetricTables::metricNames(std::int64_t runId)
{
    // A loose index scan: hop from one name_id to the next through the primary key instead of
    // reading every row of the run.
    Statement query(*m_db,
                    "WITH RECURSIVE ids(id) AS ("
                    " SELECT (SELECT min(name_id) FROM metrics WHERE run_id = ?1)"
                    " UNION ALL SELECT (SELECT min(name_id) FROM metrics"
                    " WHERE run_id = ?1 AND name_id > ids.id) FROM ids"
                    " WHERE ids.id IS NOT NULL)"
                    " SELECT n.name FROM ids JOIN metric_names n ON n.id = ids.id"
                    " ORDER BY n.name");
    query.bind(1, runId);
    return readFirstColumn<std::string>(query);
}

std::vector<SeriesBucket> MetricTables::series(std::int64_t runId, const std::string &name,
                                               int maxPoints, const StepRange &steps)
{
    if (maxPoints < 1)
        throw StoreError("series: maxPoints must be at least 1, got " + std::to_string(maxPoints));
    if (steps.from == StepRange {}.from && steps.to == StepRange {}.to) {
        if (auto fromRollups = seriesFromRollups(runId, name, maxPoints))
            return *fromRollups;
    }
    // Buckets of equal step width (not equal row counts), so unevenly logged series keep their
    // shape. When the series is short enough every row is its own bucket. The last value of a
    // bucket is found by the primary key at its last step. Selects a SeriesBucket's columns.
    Statement query(*m_db,
                    "WITH s AS (SELECT m.step, m.value FROM metrics m"
                    "  JOIN metric_names n ON n.id = m.name_id AND n.name = ?2"
                    "  WHERE m.run_id = ?1 AND m.step BETWEEN ?3 AND ?4),"
                    " r AS (SELECT count(*) AS n, min(step) AS lo, max(step) AS hi FROM s),"
                    " b AS (SELECT CASE WHEN r.n <= ?5 THEN s.step"
                    "  ELSE (s.step - r.lo) * ?5 / (r.hi - r.lo + 1) END AS bucket,"
                    "  s.step, s.value FROM s, r),"
                    " g AS (SELECT min(step) AS first_step, max(step) AS last_step,"
                    "  min(value) AS lo, max(value) AS hi, count(*) AS n FROM b GROUP BY bucket)"
                    " SELECT g.first_step, g.last_step, g.lo, g.hi, m.value, g.n FROM g"
                    " JOIN metric_names n ON n.name = ?2"
                    " JOIN metrics m ON m.run_id = ?1 AND m.name_id = n.id"
                    "  AND m.step = g.last_step"
                    " ORDER BY g.last_step");
    query.bind(1, runId);
    query.bind(2, name);
    query.bind(3, steps.from);
    query.bind(4, steps.to);
    query.bind(5, static_cast<std::int64_t>(maxPoints));
    return readRows<SeriesBucket>(query);
}

std::optional<std::vector<SeriesBucket>>
MetricTables::seriesFromRollups(std::int64_t runId, const std::string &name, int maxPoints)
{
    Statement query(*m_db,
                    "SELECT " + columnList<SeriesBucket>(false, 0, INT_MAX, "r.%")
                        + " FROM metric_rollups r"
                          " JOIN metric_names n ON n.id = r.name_id AND n.name = ?2"
                          " WHERE r.run_id = ?1 ORDER BY r.bucket");
    query.bind(1, runId);
    query.bind(2, name);
    const std::vector<SeriesBucket> rollups = readRows<SeriesBucket>(query);
    std::int64_t rows = 0;
    for (const SeriesBucket &rollup : rollups)
        rows += rollup.count;
    if (rollups.empty())
        return std::nullopt;
    // A series short enough to show whole is read row by row.
    if (rows <= maxPoints)
        return std::nullopt;
    const std::int64_t lo = rollups.front().firstStep, hi = rollups.back().lastStep;
    std::vector<SeriesBucket> out;
    std::int64_t current = -1;
    for (const auto &r : rollups) {
        const std::int64_t bucket = (r.firstStep - lo) * maxPoints / (hi - lo + 1);
        if (bucket != current || out.empty()) {
            out.push_back(r);
            current = bucket;
            continue;
        }
        appendLater(out.back(), r);
    }
    return out;
}

std::int64_t MetricTables::metricCount(std::int64_t runId)
{
    Statement query(*m_db, "SELECT count(*) FROM metrics WHERE run_id = ?1");
    query.bind(1, runId);
    query.step();
    return query.columnInt64(0);
}

} // namespace slim::store
