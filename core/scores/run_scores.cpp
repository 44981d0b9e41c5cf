#include "scores/run_scores.h"

#include "store/run_store.h"

#include <nlohmann/json.hpp>

namespace slim::scores {

std::string baseModelHashOf(std::string_view datasetHashesJson)
{
    const auto hashes = nlohmann::json::parse(datasetHashesJson, nullptr, false);
    if (!hashes.is_object() || !hashes.contains("base_model") || !hashes["base_model"].is_string())
        return {};
    return hashes["base_model"].get<std::string>();
}

RunScores readRunScores(store::RunStore &db, std::int64_t runId, bool finalOnly)
{
    RunScores out;
    const auto run = db.getRun(runId);
    if (!run)
        return out;
    store::EvalFilter filter;
    filter.finalOnly = finalOnly;
    out.evals = db.evalResults(runId, filter);
    if (const auto model = baseModelHashOf(run->datasetHashesJson); !model.empty())
        out.baseScores = db.baseScoresOfModel(model);
    return out;
}

const store::BaseScoreRow *baseScoreOf(const store::EvalRow &row,
                                       const std::vector<store::BaseScoreRow> &baseScores)
{
    for (const auto &b : baseScores) {
        const auto &k = b.key;
        if (k.task == row.task && k.split == row.split && k.metric == row.metric
            && k.mode == row.mode && k.templateHash == row.templateHash && k.shots == row.shots
            && k.taskVersion == row.taskVersion)
            return &b;
    }
    return nullptr;
}

std::string runLabel(const store::RunRecord &record)
{
    return record.name.empty() ? "run #" + std::to_string(record.id) : record.name;
}

double forgetting(std::string_view metric, double base, double run)
{
    return higherIsBetter(metric) ? base - run : run - base;
}

} // namespace slim::scores
