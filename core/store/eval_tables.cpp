// EvalTables: evaluation results of runs and the base-model score cache.
#include "store/eval_tables.h"

#include "store/row_columns.h"
#include "store/statement.h"

namespace slim::store {

using namespace detail;

void EvalTables::appendEvalResults(std::int64_t runId, const std::vector<EvalRow> &rows)
{
    appendRunRows(*m_db, runId, rows);
}

std::vector<EvalRow> EvalTables::evalResults(std::int64_t runId, const EvalFilter &filter)
{
    Statement query(
        *m_db,
        selectSql<EvalRow>("WHERE run_id = ?1"
                           " AND (?2 = '' OR task = ?2) AND (?3 = '' OR split = ?3)"
                           " AND (?4 = '' OR metric = ?4) AND (?5 IS NULL OR task_kind = ?5)"
                           " AND (?6 = 0 OR is_final = 1) AND step BETWEEN ?7 AND ?8"
                           " ORDER BY task, split, metric, mode, step, is_final"));
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
    return readRows<EvalRow>(query);
}

std::vector<std::int64_t> EvalTables::evaluatedSteps(std::int64_t runId)
{
    Statement query(*m_db,
                    "SELECT DISTINCT step FROM eval_results WHERE run_id = ?1 ORDER BY step");
    query.bind(1, runId);
    return readFirstColumn<std::int64_t>(query);
}

std::optional<BaseScoreRow> EvalTables::baseScore(const BaseScoreKey &key)
{
    // Every part of the key must match.
    const std::string where
        = "WHERE " + columnList<BaseScoreKey>(true, 0, INT_MAX, "% = ?", " AND ");
    Statement query(*m_db, selectSql<BaseScoreRow>(where));
    bindRow(query, 1, key);
    if (!query.step())
        return std::nullopt;
    return readRow<BaseScoreRow>(query);
}

std::vector<BaseScoreRow> EvalTables::baseScores(const std::string &modelHash,
                                                 const std::string &task, const std::string &split,
                                                 const std::string &taskVersion)
{
    Statement query(*m_db,
                    selectSql<BaseScoreRow>("WHERE model_hash = ?1 AND task = ?2 AND split = ?3"
                                            " AND task_version = ?4"
                                            " ORDER BY metric, mode, template_hash, shots"));
    query.bind(1, modelHash);
    query.bind(2, task);
    query.bind(3, split);
    query.bind(4, taskVersion);
    return readRows<BaseScoreRow>(query);
}

std::vector<BaseScoreRow> EvalTables::baseScoresOfModel(const std::string &modelHash)
{
    Statement query(
        *m_db,
        selectSql<BaseScoreRow>("WHERE model_hash = ?1 ORDER BY task, split, task_version, metric,"
                                " mode, template_hash, shots"));
    query.bind(1, modelHash);
    return readRows<BaseScoreRow>(query);
}

void EvalTables::putBaseScore(const BaseScoreRow &row)
{
    // The key is the whole primary key: a repeat replaces value, stderr and n.
    Statement upsert(*m_db, upsertSql<BaseScoreRow>(false, columnCount<BaseScoreKey>(true)));
    bindRow(upsert, 1, row);
    upsert.exec();
}

} // namespace slim::store
