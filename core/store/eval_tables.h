#pragma once
// The evaluation table family of the run store: eval_results and base_scores.

#include "store/database.h"
#include "store/run_records.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace slim::store {

// Scores of runs and the cache of base-model scores. Part of RunStore, whose rules it follows
// (thread affinity, one transaction per write, StoreError when the run does not exist);
// borrows a migrated Database that must outlive it.
class EvalTables
{
public:
    explicit EvalTables(Database &db)
        : m_db(&db)
    { }

    // Replaces rows with the same (task, split, metric, mode, step, isFinal).
    void appendEvalResults(std::int64_t runId, const std::vector<EvalRow> &rows);
    // Ordered by task, split, metric, step.
    std::vector<EvalRow> evalResults(std::int64_t runId, const EvalFilter &filter = {});
    // Steps at which the run has evaluation results (its evaluated checkpoints).
    std::vector<std::int64_t> evaluatedSteps(std::int64_t runId);

    std::optional<BaseScoreRow> baseScore(const BaseScoreKey &key);
    // Every cached score of one task of one model (all metrics, modes, templates, shots),
    // ordered by metric, mode, template, shots.
    std::vector<BaseScoreRow> baseScores(const std::string &modelHash, const std::string &task,
                                         const std::string &split, const std::string &taskVersion);
    // Every cached score of one model, ordered by task, split, version, metric, mode, template.
    std::vector<BaseScoreRow> baseScoresOfModel(const std::string &modelHash);
    void putBaseScore(const BaseScoreRow &row); // insert or replace (upsert)

private:
    Database *m_db;
};

} // namespace slim::store
