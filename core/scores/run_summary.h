#pragma once
// A run's headline numbers, per evaluation and at the end, and the forgetting-versus-downstream
// trade-off built from them. One rule for the runs table, the run and compare views and
// `slimctl compare`:
//   downstream = mean primary score of the downstream tasks scored as fractions (acc,
//                exact_match);
//   general    = the same over the general tasks;
//   forgetting = mean of forgetting() over the general fraction tasks the base model was
//                scored on (base - run; positive = forgot).
// Bits per byte is reported per task (primaryScores) and never averaged with accuracies.

#include "scores/primary_scores.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace slim::scores {

struct ScoreSummary
{
    std::optional<double> downstream, general, forgetting;
    int downstreamTasks = 0, generalTasks = 0, forgettingTasks = 0; // how many were averaged
};

// The summary of the run's final evaluation (empty before it).
ScoreSummary summarise(const RunScores &scores);

// The summary of one evaluation.
struct TradeoffPoint : ScoreSummary
{
    std::int64_t step = 0;
    bool isFinal = false;
};
// One point per evaluation (probe steps by step, then the final one).
std::vector<TradeoffPoint> tradeoff(const RunScores &scores);

// Indices of the points on the Pareto front of (downstream up, forgetting down): no other point
// has higher-or-equal downstream and lower-or-equal forgetting with one strictly better.
// Points without both values are never on the front. Returned by increasing downstream.
std::vector<std::size_t> paretoFront(const std::vector<TradeoffPoint> &points);

} // namespace slim::scores
