#pragma once
// The base-score cache interface (std only): the run store implements it, the suite evaluator
// uses it, so each base model is scored once per task, split and task version.

#include "common/scoring_mode.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace slim::engine {

// One score of one task: what the base-score cache stores and EvalRecords carry.
struct ScoreRow
{
    std::string metric;
    ScoringMode mode = ScoringMode::LogLikelihood;
    std::string template_hash;
    int64_t shots = 0;
    double value = 0, std_error = 0;
    int64_t n = 0;
};

// All scores of one model on one task split. task_version is "<version>:<sha256 prefix>", so a
// changed item or template never reuses a stale score.
struct TaskScoreKey
{
    std::string model_hash, task, split, task_version;
};

// Base-score cache shared across runs (the run store implements it). Called on the job thread.
class ScoreCache
{
public:
    virtual ~ScoreCache() = default;
    virtual std::optional<std::vector<ScoreRow>> find(const TaskScoreKey &key) = 0;
    virtual void put(const TaskScoreKey &key, const std::vector<ScoreRow> &rows) = 0;
};

} // namespace slim::engine
