#include "run_scores.h"

namespace slim::services {

scores::RunScores runScoresOf(const RunDetail &detail)
{
    return {detail.data.evals, detail.baseScores};
}

std::vector<TaskScores> primaryScores(const RunDetail &detail)
{
    return scores::primaryScores(runScoresOf(detail));
}

std::vector<TradeoffPoint> tradeoff(const RunDetail &detail)
{
    return scores::tradeoff(runScoresOf(detail));
}

} // namespace slim::services
