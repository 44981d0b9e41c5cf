#pragma once
// The scores a run recorded, as the store keeps them: evaluation rows and the cached scores of
// its base model. Everything else in core/scores is a pure function of these. Std only over the
// store's row types; readRunScores is the one place that reads them from a RunStore.

#include "store/run_records.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace slim::store {
class RunStore;
}

namespace slim::scores {

struct RunScores
{
    std::vector<store::EvalRow> evals;
    // Cached scores of the run's base model (any task); matched to an evaluation by
    // baseScoreOf. Empty until the run has recorded its base model's hash.
    std::vector<store::BaseScoreRow> baseScores;
};

// The base model's weights hash a run recorded ("base_model" in its dataset hashes JSON);
// "" when absent or when the JSON is not an object.
std::string baseModelHashOf(std::string_view datasetHashesJson);

// The run's evaluations (final ones only when asked) and its base model's cached scores.
// Throws what the store throws; an unknown run gives empty scores.
RunScores readRunScores(store::RunStore &db, std::int64_t runId, bool finalOnly = false);

// The base model's score on the same items as `row`: same task, split, metric, scoring mode,
// template, shots and task version (the version carries the items' hash). nullptr when the
// base was not scored so.
const store::BaseScoreRow *baseScoreOf(const store::EvalRow &row,
                                       const std::vector<store::BaseScoreRow> &baseScores);

// What listings, legends and messages call a run: its name, or "run #<id>" when unnamed.
std::string runLabel(const store::RunRecord &record);

// Forgetting of one score. Positive = the fine-tuned model got worse: base - run for
// higher-is-better metrics (accuracy), run - base for lower-is-better ones (bits per byte).
double forgetting(std::string_view metric, double base, double run);

} // namespace slim::scores
