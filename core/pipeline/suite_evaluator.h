#pragma once
// Scores a model on the run's tasks (downstream and general), as probe subsets during training
// and full test sets at the end, with each score's floor (an untrained model's score). The base
// model's scores go to the score cache (across runs by model hash, task, mode, template,
// split), where readers of a run's forgetting find them (core/scores).

#include "eval/evaluator.h"
#include "events/run_observer.h"
#include "pipeline/score_cache.h"
#include "pipeline/run_spec.h"
#include "adapters/adapter_set.h"

#include <optional>
#include <stop_token>

namespace slim::engine {

class SuiteEvaluator
{
public:
    // `tokenizer`: the model's, which the tasks' text is scored with.
    SuiteEvaluator(std::vector<data::Task> tasks, tok::Tokenizer tokenizer, EvalPlan plan,
                   RunObserver &observer, ScoreCache *cache);

    // Scores of the base model (before adapters are attached), for probe and full splits, and
    // the floor. Cached scores are reused.
    void scoreReferences(CausalLm &base, const std::string &baseHash, std::stop_token stop);
    // Only the floor: an untrained model of `config`'s shape (seeded, so the same every time).
    void scoreFloor(const LlamaConfig &config, torch::Device device, torch::ScalarType dtype,
                    std::stop_token stop);

    // Scores the adapted model at `step` (full test sets when `full`, else probe subsets),
    // reports EvalRecords (is_final when `final`: the run's closing scores) and the routing and
    // cluster statistics of each suite ("general", "downstream"). Returns false if stopped.
    bool scoreRun(CausalLm &model, AdapterSetImpl *adapters, int64_t step, bool final, bool full,
                  std::stop_token stop);

private:
    // Scores `task` (the first probe_items items unless full). Empty when stopped.
    std::vector<ScoreRow> scoreTask(CausalLm &model, const data::Task &task, bool full,
                                    std::stop_token stop, const std::string &phase,
                                    size_t index, size_t count);
    // Reference scores of one model for every task, from the cache where possible.
    std::map<std::string, ScoreRow> referenceScores(CausalLm &model, const std::string &hash,
                                                    std::stop_token stop,
                                                    const std::string &phase);
    std::string splitName(bool full) const;
    TaskScoreKey key(const std::string &hash, const data::Task &task, bool full) const;

    std::vector<data::Task> m_tasks;
    EvalPlan m_plan;
    RunObserver &m_observer;
    ScoreCache *m_cache;
    tok::Tokenizer m_tokenizer;
    std::map<std::string, ScoreRow> m_floor; // by split|task|metric|mode
};

} // namespace slim::engine
