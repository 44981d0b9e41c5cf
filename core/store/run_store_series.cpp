// RunStore: metric series, evaluation results, the base score cache.
#include "store/run_store.h"

#include "store/multi_row_insert.h"
#include "store/run_store_internal.h"
#include "store/statement.h"
#include "store/store_error.h"
#include "store/transaction.h"

#include <algorithm>
#include <cmath>
#include <tuple>

namespace slim::store {

using detail::kNowSql;

struct RunStore::ResolvedMetric
{
    std::int64_t step;
    std::int64_t nameId;
    double value;
};

namespace {

EvalRow readEvalRow(const Statement &query)
{
    EvalRow row;
    row.step = query.columnInt64(0);
    row.task = query.columnText(1);
    row.split = query.columnText(2);
    row.metric = query.columnText(3);
    row.value = query.columnDouble(4);
    row.stderr_ = query.columnOptDouble(5);
    row.n = query.columnInt64(6);
    row.mode = scoringModeFromName(query.columnText(7)).value_or(ScoringMode::Loglikelihood);
    row.templateHash = query.columnText(8);
    row.shots = query.columnInt64(9);
    row.taskVersion = query.columnText(10);
    row.isFinal = query.columnInt(11) != 0;
    row.floor = query.columnOptDouble(12);
    row.kind = query.columnText(13) == "general" ? TaskKind::General : TaskKind::Downstream;
    return row;
}

void bindBaseKey(Statement &statement, const BaseScoreKey &key)
{
    statement.bind(1, key.modelHash);
    statement.bind(2, key.task);
    statement.bind(3, key.split);
    statement.bind(4, key.metric);
    statement.bind(5, scoringModeName(key.mode));
    statement.bind(6, key.templateHash);
    statement.bind(7, key.shots);
    statement.bind(8, key.taskVersion);
}

} // namespace

std::int64_t RunStore::metricNameId(const std::string &name,
                                    std::unordered_map<std::string, std::int64_t> &created)
{
    if (auto it = m_metricNameIds.find(name); it != m_metricNameIds.end())
        return it->second;
    if (auto it = created.find(name); it != created.end())
        return it->second;
    // Another connection may have created the name meanwhile: insert-or-ignore, then look up.
    Statement insert(m_db, "INSERT OR IGNORE INTO metric_names (name) VALUES (?1)");
    insert.bind(1, name);
    insert.exec();
    Statement query(m_db, "SELECT id FROM metric_names WHERE name = ?1");
    query.bind(1, name);
    if (!query.step())
        throw StoreError("metric name '" + name + "' vanished while being created");
    const std::int64_t id = query.columnInt64(0);
    created.emplace(name, id);
    return id;
}

void RunStore::appendMetrics(std::int64_t runId, const std::vector<MetricRow> &rows)
{
    if (rows.empty())
        return;
    Transaction transaction(m_db);
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

    MultiRowInsert insert(m_db, "INSERT OR REPLACE INTO metrics (run_id, name_id, step, value)", 4);
    insert.insert(resolved, [runId](Statement &s, int i, const ResolvedMetric &row) {
        s.bind(i, runId);
        s.bind(i + 1, row.nameId);
        s.bind(i + 2, row.step);
        s.bind(i + 3, row.value); // NaN is stored as NULL by SQLite
    });
    updateRollups(runId, resolved);
    transaction.commit();
    m_metricNameIds.merge(created);
}

namespace {

struct Rollup
{
    std::int64_t firstStep = 0, lastStep = 0, n = 0;
    double lo = NAN, hi = NAN, last = NAN;

    void add(std::int64_t step, double value)
    {
        if (n == 0 || step < firstStep)
            firstStep = step;
        if (n == 0 || step >= lastStep) {
            lastStep = step;
            last = value;
        }
        ++n;
        if (!std::isnan(value)) { // NULL in SQL: min/max skip it
            lo = std::isnan(lo) ? value : std::min(lo, value);
            hi = std::isnan(hi) ? value : std::max(hi, value);
        }
    }
    // `later` holds only steps after this one's last step.
    void append(const Rollup &later)
    {
        lastStep = later.lastStep;
        last = later.last;
        n += later.n;
        if (!std::isnan(later.lo))
            lo = std::isnan(lo) ? later.lo : std::min(lo, later.lo);
        if (!std::isnan(later.hi))
            hi = std::isnan(hi) ? later.hi : std::max(hi, later.hi);
    }
};

} // namespace

void RunStore::updateRollups(std::int64_t runId, const std::vector<ResolvedMetric> &rows)
{
    // The batch's own rollups, merged in memory with the stored ones when it only adds later
    // steps (the recorder's case). A bucket where the batch rewrites a step it already holds is
    // recomputed from the stored rows, so an overwritten value leaves no stale min or max.
    // `rows` are sorted by (name, step), so a bucket's rows are adjacent and a step given twice
    // is given in consecutive rows.
    using Key = std::pair<std::int64_t, std::int64_t>; // (name_id, bucket)
    std::vector<std::pair<Key, Rollup>> batch;
    std::vector<Key> dirty;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto &row = rows[i];
        const Key key{row.nameId, row.step >> kRollupShift};
        if (batch.empty() || batch.back().first != key)
            batch.push_back({key, Rollup{}});
        const bool repeated = i > 0 && rows[i - 1].nameId == row.nameId
                              && rows[i - 1].step == row.step;
        if (repeated && (dirty.empty() || dirty.back() != key))
            dirty.push_back(key); // the same step twice in one batch: the last one was stored
        batch.back().second.add(row.step, row.value);
    }
    const auto isDirty = [&dirty](const Key &key) {
        return std::find(dirty.begin(), dirty.end(), key) != dirty.end();
    };
    Statement stored(m_db, "SELECT first_step, last_step, lo, hi, last, n FROM metric_rollups"
                           " WHERE run_id = ?1 AND name_id = ?2 AND bucket = ?3");
    std::vector<std::pair<Key, Rollup>> merged;
    merged.reserve(batch.size());
    for (auto &[key, rollup] : batch) {
        if (isDirty(key))
            continue;
        stored.reset(true);
        stored.bind(1, runId);
        stored.bind(2, key.first);
        stored.bind(3, key.second);
        if (stored.step()) {
            Rollup before;
            before.firstStep = stored.columnInt64(0);
            before.lastStep = stored.columnInt64(1);
            before.lo = stored.columnOptDouble(2).value_or(NAN);
            before.hi = stored.columnOptDouble(3).value_or(NAN);
            before.last = stored.columnOptDouble(4).value_or(NAN);
            before.n = stored.columnInt64(5);
            if (rollup.firstStep <= before.lastStep) {
                dirty.push_back(key);
                continue;
            }
            before.append(rollup);
            rollup = before;
        }
        merged.push_back({key, rollup});
    }
    MultiRowInsert insert(m_db, "INSERT OR REPLACE INTO metric_rollups (run_id, name_id, bucket,"
                                " first_step, last_step, lo, hi, last, n)", 9);
    insert.insert(merged, [runId](Statement &s, int i, const auto &entry) {
        const auto &[key, r] = entry;
        s.bind(i, runId);
        s.bind(i + 1, key.first);
        s.bind(i + 2, key.second);
        s.bind(i + 3, r.firstStep);
        s.bind(i + 4, r.lastStep);
        s.bind(i + 5, r.lo); // NaN is stored as NULL
        s.bind(i + 6, r.hi);
        s.bind(i + 7, r.last);
        s.bind(i + 8, r.n);
    });
    if (dirty.empty())
        return;
    Statement recompute(m_db,
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

std::vector<std::string> RunStore::metricNames(std::int64_t runId)
{
    // A loose index scan: hop from one name_id to the next through the primary key instead of
    // reading every row of the run.
    Statement query(m_db,
                    "WITH RECURSIVE ids(id) AS ("
                    " SELECT (SELECT min(name_id) FROM metrics WHERE run_id = ?1)"
                    " UNION ALL SELECT (SELECT min(name_id) FROM metrics"
                    " WHERE run_id = ?1 AND name_id > ids.id) FROM ids"
                    " WHERE ids.id IS NOT NULL)"
                    " SELECT n.name FROM ids JOIN metric_names n ON n.id = ids.id"
                    " ORDER BY n.name");
    query.bind(1, runId);
    std::vector<std::string> out;
    while (query.step())
        out.push_back(query.columnText(0));
    return out;
}

std::vector<SeriesBucket> RunStore::series(std::int64_t runId, const std::string &name,
                                           int maxPoints, const StepRange &steps)
{
    if (maxPoints < 1)
        throw StoreError("series: maxPoints must be at least 1, got " + std::to_string(maxPoints));
    if (steps.from == StepRange{}.from && steps.to == StepRange{}.to) {
        if (auto fromRollups = seriesFromRollups(runId, name, maxPoints))
            return *fromRollups;
    }
    // Buckets of equal step width (not equal row counts), so unevenly logged series keep their
    // shape. When the series is short enough every row is its own bucket. The last value of a
    // bucket is found by the primary key at its last step.
    Statement query(m_db,
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
    std::vector<SeriesBucket> out;
    while (query.step()) {
        out.push_back({query.columnInt64(0), query.columnInt64(1), query.columnDouble(2),
                       query.columnDouble(3), query.columnDouble(4), query.columnInt64(5)});
    }
    return out;
}

std::optional<std::vector<SeriesBucket>>
RunStore::seriesFromRollups(std::int64_t runId, const std::string &name, int maxPoints)
{
    Statement query(m_db,
                    "SELECT r.first_step, r.last_step, r.lo, r.hi, r.last, r.n"
                    " FROM metric_rollups r JOIN metric_names n ON n.id = r.name_id AND n.name = ?2"
                    " WHERE r.run_id = ?1 ORDER BY r.bucket");
    query.bind(1, runId);
    query.bind(2, name);
    std::vector<SeriesBucket> rollups;
    std::int64_t rows = 0;
    while (query.step()) {
        rollups.push_back({query.columnInt64(0), query.columnInt64(1), query.columnDouble(2),
                           query.columnDouble(3), query.columnDouble(4), query.columnInt64(5)});
        rows += rollups.back().count;
    }
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
        auto &b = out.back();
        b.lastStep = r.lastStep;
        b.last = r.last;
        b.count += r.count;
        // NaN (NULL) rollups are skipped by min/max, as in SQL.
        if (std::isnan(b.min) || r.min < b.min)
            b.min = r.min;
        if (std::isnan(b.max) || r.max > b.max)
            b.max = r.max;
    }
    return out;
}

std::int64_t RunStore::metricCount(std::int64_t runId)
{
    Statement query(m_db, "SELECT count(*) FROM metrics WHERE run_id = ?1");
    query.bind(1, runId);
    query.step();
    return query.columnInt64(0);
}

void RunStore::appendEvalResults(std::int64_t runId, const std::vector<EvalRow> &rows)
{
    insertRowsInTransaction(
        m_db,
        "INSERT OR REPLACE INTO eval_results (run_id, step, task, split, metric,"
        " value, stderr, n, mode, template_hash, shots, task_version, is_final,"
        " floor, task_kind)",
        15, rows, [runId](Statement &s, int i, const EvalRow &row) {
            s.bind(i, runId);
            s.bind(i + 1, row.step);
            s.bind(i + 2, row.task);
            s.bind(i + 3, row.split);
            s.bind(i + 4, row.metric);
            s.bind(i + 5, row.value);
            s.bind(i + 6, row.stderr_);
            s.bind(i + 7, row.n);
            s.bind(i + 8, scoringModeName(row.mode));
            s.bind(i + 9, row.templateHash);
            s.bind(i + 10, row.shots);
            s.bind(i + 11, row.taskVersion);
            s.bind(i + 12, row.isFinal ? 1 : 0);
            s.bind(i + 13, row.floor);
            s.bind(i + 14, taskKindName(row.kind));
        });
}

std::vector<EvalRow> RunStore::evalResults(std::int64_t runId, const EvalFilter &filter)
{
    Statement query(m_db,
                    "SELECT step, task, split, metric, value, stderr, n, mode,"
                    " template_hash, shots, task_version, is_final, floor, task_kind"
                    " FROM eval_results WHERE run_id = ?1"
                    " AND (?2 = '' OR task = ?2) AND (?3 = '' OR split = ?3)"
                    " AND (?4 = '' OR metric = ?4) AND (?5 IS NULL OR task_kind = ?5)"
                    " AND (?6 = 0 OR is_final = 1) AND step BETWEEN ?7 AND ?8"
                    " ORDER BY task, split, metric, mode, step, is_final");
    query.bind(1, runId);
    query.bind(2, filter.task);
    query.bind(3, filter.split);
    query.bind(4, filter.metric);
    if (filter.kind)
        query.bind(5, taskKindName(*filter.kind));
    else
        query.bindNull(5);
    query.bind(6, filter.finalOnly ? 1 : 0);
    query.bind(7, filter.steps.from);
    query.bind(8, filter.steps.to);
    std::vector<EvalRow> out;
    while (query.step())
        out.push_back(readEvalRow(query));
    return out;
}

std::optional<BaseScoreRow> RunStore::baseScore(const BaseScoreKey &key)
{
    Statement query(m_db,
                    "SELECT value, stderr, n, created_at FROM base_scores"
                    " WHERE model_hash = ?1 AND task = ?2 AND split = ?3 AND metric = ?4"
                    " AND mode = ?5 AND template_hash = ?6 AND shots = ?7"
                    " AND task_version = ?8");
    bindBaseKey(query, key);
    if (!query.step())
        return std::nullopt;
    BaseScoreRow row;
    row.key = key;
    row.value = query.columnDouble(0);
    row.stderr_ = query.columnOptDouble(1);
    row.n = query.columnInt64(2);
    row.createdAt = query.columnText(3);
    return row;
}

namespace {

// Rows of a base_scores query selecting task, split, task_version, metric, mode,
// template_hash, shots, value, stderr, n, created_at (in that order).
std::vector<BaseScoreRow> readBaseScores(Statement &query, const std::string &modelHash)
{
    std::vector<BaseScoreRow> out;
    while (query.step()) {
        BaseScoreRow row;
        row.key = {modelHash,
                   query.columnText(0),
                   query.columnText(1),
                   query.columnText(3),
                   scoringModeFromName(query.columnText(4)).value_or(ScoringMode::Loglikelihood),
                   query.columnText(5),
                   query.columnInt64(6),
                   query.columnText(2)};
        row.value = query.columnDouble(7);
        row.stderr_ = query.columnOptDouble(8);
        row.n = query.columnInt64(9);
        row.createdAt = query.columnText(10);
        out.push_back(std::move(row));
    }
    return out;
}

constexpr const char *kBaseScoreColumns
    = "SELECT task, split, task_version, metric, mode, template_hash, shots, value, stderr, n,"
      " created_at FROM base_scores WHERE model_hash = ?1";

} // namespace

std::vector<BaseScoreRow> RunStore::baseScores(const std::string &modelHash,
                                               const std::string &task, const std::string &split,
                                               const std::string &taskVersion)
{
    Statement query(m_db, std::string(kBaseScoreColumns)
                              + " AND task = ?2 AND split = ?3 AND task_version = ?4"
                                " ORDER BY metric, mode, template_hash, shots");
    query.bind(1, modelHash);
    query.bind(2, task);
    query.bind(3, split);
    query.bind(4, taskVersion);
    return readBaseScores(query, modelHash);
}

std::vector<BaseScoreRow> RunStore::baseScoresOfModel(const std::string &modelHash)
{
    Statement query(m_db, std::string(kBaseScoreColumns)
                              + " ORDER BY task, split, task_version, metric, mode,"
                                " template_hash, shots");
    query.bind(1, modelHash);
    return readBaseScores(query, modelHash);
}

void RunStore::putBaseScore(const BaseScoreRow &row)
{
    Statement upsert(m_db,
                     std::string("INSERT INTO base_scores (model_hash, task, split, metric,"
                                 " mode, template_hash, shots, task_version, value,"
                                 " stderr, n) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
                                 " ?10, ?11) ON CONFLICT (model_hash, task, split, metric,"
                                 " mode, template_hash, shots, task_version) DO UPDATE SET"
                                 " value = excluded.value, stderr = excluded.stderr,"
                                 " n = excluded.n, created_at = ")
                         + kNowSql);
    bindBaseKey(upsert, row.key);
    upsert.bind(9, row.value);
    upsert.bind(10, row.stderr_);
    upsert.bind(11, row.n);
    upsert.exec();
}

} // namespace slim::store
