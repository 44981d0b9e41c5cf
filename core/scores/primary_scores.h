#pragma once
// The score that represents each task, over the run's evaluations.
//
// A task's primary score is `acc` of the log-likelihood mode (of the label-logits mode when only
// that ran), `exact_match` for generation tasks, `bits_per_byte` for plain texts. A generation
// task's partial credit, `char_accuracy`, is reported beside its exact match (tables, compare)
// but never averaged. Other metrics (acc_norm, a second mode) are recorded and exported but not
// summarised.

#include "scores/run_scores.h"

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace slim::scores {

// Whether (metric, mode) is the primary score of a task that was scored in `modesOfTask`.
bool isPrimaryScore(std::string_view metric, ScoringMode mode,
                    const std::set<ScoringMode> &modesOfTask);

// Primary scores that average into a run's summary: fractions in [0, 1] where higher is
// better (acc, exact_match). Bits per byte is reported per task, never averaged with them.
bool isFractionScore(std::string_view metric);

struct ScorePoint
{
    std::int64_t step = 0;
    bool isFinal = false; // full test set at the end (else a probe subset)
    double value = 0;
    std::optional<double> stderr_;
    std::int64_t n = 0;
    std::optional<double> base;       // the base model on the same items (baseScoreOf)
    std::optional<double> baseStderr; // its standard error
    std::optional<double> floor;      // the untrained model on the same items
    std::optional<double> forgetting; // forgetting(metric, base, value) of a general task
};

struct TaskSeries
{
    std::string task;
    std::string split;  // of the probe points ("probe64-2"); "test" when only final points
    std::string metric; // "acc", "exact_match", "bits_per_byte"
    ScoringMode mode = ScoringMode::LogLikelihood;
    store::TaskKind kind = store::TaskKind::Downstream;
    bool higherIsBetter = true; // false for bits_per_byte
    std::vector<ScorePoint> points; // probe points by step, then the final point

    // The latest final evaluation's point; nullptr before the final evaluation.
    const ScorePoint *finalPoint() const;
};

// The primary score of every task the run evaluated: general tasks first, then by task name.
std::vector<TaskSeries> primaryScores(const RunScores &scores);

// The partial credit (char_accuracy) of every generation task that has one, in the same order.
std::vector<TaskSeries> partialCreditScores(const RunScores &scores);

} // namespace slim::scores
