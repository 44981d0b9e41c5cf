#pragma once
// An evaluation suite as the engine scores it: the lm-eval task's requests over a user's
// dataset file, as data::Task values (choice, partial or generation items, the task's metrics,
// its stop strings and answer filter, its shots), with the identity that goes into every
// recorded score (task version, template, shots, items).

#include "data/task.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace slim::suites {

struct SuiteSpec
{
    std::string task; // a name of harnessTasks()
    std::string data; // the records to evaluate
    std::string fewshot_data; // the few-shot pool; "" for none
    std::optional<int64_t> shots; // none: lm-eval's default for the task
    int64_t limit = 0; // > 0: the first `limit` records
};

// A suite as a run spec names it (eval.suites, eval.downstream_suites):
// "TASK=FILE[;fewshot=FILE][;shots=N][;limit=K]", e.g.
// "mmlu=data/mmlu/test.jsonl;fewshot=data/mmlu/dev.jsonl;shots=5". Checks the syntax and the task
// name (not the files); throws std::invalid_argument saying what is wrong.
SuiteSpec parseSuiteEntry(const std::string &entry);

// One task, or for mmlu one per subject ("mmlu_<subject>", in order of first appearance), each
// general (a forgetting probe). Reads and checks every record before returning: throws
// data::DataError naming file, line and field, or for a file without records, and
// std::invalid_argument for shots the few-shot file cannot give (buildRequests).
std::vector<data::Task> suiteTasks(const SuiteSpec &spec);

} // namespace slim::suites
