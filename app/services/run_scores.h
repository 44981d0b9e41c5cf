#pragma once
// The scores views plot, from a RunDetail: core/scores' rules (primary score, forgetting,
// summaries, trade-off, Pareto front) applied to the detail's evaluations and its base model's
// cached scores. The window formats what these return; slimctl and the recorder call the same
// library, so a run shows the same numbers everywhere.

#include "run_data.h"

#include "scores/primary_scores.h"
#include "scores/run_summary.h"

#include <vector>

namespace slim::services {

using TaskScores = scores::TaskSeries;
using scores::ScorePoint;
using scores::TradeoffPoint;
using scores::paretoFront;

// The detail's scores as core/scores reads them.
scores::RunScores runScoresOf(const RunDetail &detail);

// Primary score of every task the run evaluated, general tasks first, then by task name.
std::vector<TaskScores> primaryScores(const RunDetail &detail);

// One point per evaluation (probe steps, then final), for forgetting-versus-downstream plots.
std::vector<TradeoffPoint> tradeoff(const RunDetail &detail);

} // namespace slim::services
