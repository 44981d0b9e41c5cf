#pragma once
// Internal to the suites: each task's reading of one record (lm-eval's doc_to_text,
// doc_to_choice, doc_to_target, description and process_docs) and its few-shot sampler.

#include "harness_tasks.h"

namespace slim::suites::detail {

struct HarnessDoc
{
    std::string text; // doc_to_text; Partial: the sentence up to the blank
    std::vector<std::string> choices; // Choice: the choices; Partial: the options
    int64_t gold = -1;
    std::string target; // Partial: the text after the blank; Generation: the reference
    std::string shot_answer; // Generation: what follows "text " in a few-shot example
    std::string group; // mmlu: the subject; the few-shot pool is restricted to it
    std::string description; // placed before the few-shot examples
};

enum class ShotSampler {
    Random, // rnd.sample(pool, n)
    RandomExcludingDoc, // rnd.sample(pool, n + 1), records equal to the document removed, n kept
    FirstN, // the pool's first n (of the document's group)
    FixedExemplars, // the task's own exemplars, first n
};

struct TaskRule
{
    HarnessTask task;
    ShotSampler sampler = ShotSampler::Random;
    HarnessDoc (*read)(const Record &record) = nullptr;
    const std::vector<HarnessDoc> *exemplars = nullptr; // FixedExemplars: the task's own shots
};

// The paper's harness view of a record for label-token scoring (docs/lm-eval-tasks.md):
// sets request.label_context and label_choices for the tasks whose lm-eval context is not a
// bare question (label_views.cpp).
void setLabelView(const std::string &task, const Record &record, const HarnessDoc &doc,
                  HarnessRequest &request);

const std::vector<TaskRule> &taskRules();
const TaskRule &taskRule(const std::string &name);

} // namespace slim::suites::detail
