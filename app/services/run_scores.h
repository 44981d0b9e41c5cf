#pragma once
// The scores views plot, derived from a RunDetail: each task's primary score over steps with
// the base model's score on the same items, and the run's forgetting/downstream trade-off per
// evaluation. One definition for the run view, the compare view and the table.
//
// Conventions (as the recorder's summary, core/recorder/README.md): a task's primary score is
// acc in log-likelihood mode (label-logits mode when only that ran), exact_match, or
// bits_per_byte; forgetting of a general choice task = base - run (fractions; positive = lost).

#include "run_data.h"

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace slim::services {

struct ScorePoint
{
    std::int64_t step = 0;
    bool isFinal = false;        // full test set at the end (else a probe subset)
    double value = 0;
    std::optional<double> base;  // the base model on the same items, mode and template
    std::optional<double> floor; // the untrained model on the same items
};

struct TaskScores
{
    std::string task;
    std::string split;  // of the probe points ("probe64-2"); final points use "test"
    std::string metric; // "acc", "exact_match", "bits_per_byte"
    store::ScoringMode mode = store::ScoringMode::Loglikelihood;
    store::TaskKind kind = store::TaskKind::Downstream;
    bool higherIsBetter = true;         // false for bits_per_byte
    std::vector<ScorePoint> points;     // probe points by step, then the final point
};

// Primary score of every task the run evaluated, general tasks first, then by task name.
std::vector<TaskScores> primaryScores(const RunDetail &detail);

struct TradeoffPoint
{
    std::int64_t step = 0;
    bool isFinal = false;
    std::optional<double> downstream; // mean primary score of the downstream tasks
    std::optional<double> forgetting; // mean (base - run) over general choice tasks with a base
};
// One point per evaluation (probe steps, then final), for forgetting-versus-downstream plots.
std::vector<TradeoffPoint> tradeoff(const RunDetail &detail);

// The scoring modes of the run's scores ("loglikelihood", "label_logits", ...), to warn when
// runs scored differently are compared.
std::set<store::ScoringMode> scoringModes(const RunDetail &detail);

// Indices of the points on the Pareto front of (downstream up, forgetting down): no other point
// has higher-or-equal downstream and lower-or-equal forgetting with one strictly better.
// Points without both values are never on the front. Returned by increasing downstream.
std::vector<std::size_t> paretoFront(const std::vector<TradeoffPoint> &points);

} // namespace slim::services
