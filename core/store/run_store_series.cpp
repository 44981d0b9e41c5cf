// RunStore: metric series, evaluation results, the base score cache.
#include "store/run_store.h"

#include "store/multi_row_insert.h"
#include "store/run_store_internal.h"
#include "store/statement.h"
#include "store/store_error.h"
#include "store/transaction.h"

namespace slim::store {

using detail::kNowSql;

namespace {

struct ResolvedMetric
{
    std::int64_t step;
    std::int64_t nameId;
    double value;
};

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

    MultiRowInsert insert(m_db, "INSERT OR REPLACE INTO metrics (run_id, name_id, step, value)", 4);
    insert.insert(resolved, [runId](Statement &s, int i, const ResolvedMetric &row) {
        s.bind(i, runId);
        s.bind(i + 1, row.nameId);
        s.bind(i + 2, row.step);
        s.bind(i + 3, row.value); // NaN is stored as NULL by SQLite
    });
    transaction.commit();
    m_metricNameIds.merge(created);
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
