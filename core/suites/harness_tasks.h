#pragma once
// The evaluation suites of lm-evaluation-harness, read from the original datasets' records (as
// Hugging Face `datasets` exports them) and turned into exactly the requests lm-eval scores:
// the same prompts, choices, target delimiters, few-shot examples (drawn as its samplers draw
// them) and gold indices. The specification followed, task by task, is docs/lm-eval-tasks.md.
// Std only; scoring the requests with a model is the engine's (eval/).

#include "dataset_records.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace slim::suites {

enum class RequestKind {
    Choice, // one context, one continuation per choice (target delimiter + choice)
    Partial, // WinoGrande: one context per option, one shared continuation
    Generation, // greedy generation until a stop string, scored against a target
};

// How a generation is reduced to an answer before exact match (lm-eval's filters).
enum class AnswerFilter {
    Line, // the built-in tasks and `custom`: the first line, whitespace stripped
    Gsm8k, // strict-match "#### N" and flexible-extract (the last number)
    Gsm8kCot, // strict-match "The answer is N." and flexible-extract
};

struct HarnessTask
{
    std::string name; // lm-eval's task name (mmlu: the group of the 57 subjects)
    std::string version; // lm-eval's metadata.version ("Yaml" where it has none)
    RequestKind kind = RequestKind::Choice;
    std::vector<std::string> metrics; // what lm-eval reports: acc, acc_norm, exact_match
    int64_t default_shots = 0; // lm-eval's num_fewshot when none is given
    AnswerFilter filter = AnswerFilter::Line;
    std::vector<std::string> until; // generation: stop strings (the tokenizer's EOS is added)
    std::string shape; // the fields a record must have, for messages
};

// The tasks, in a fixed order: arc_easy, arc_challenge, boolq, piqa, siqa, hellaswag,
// winogrande, openbookqa, commonsense_qa, mmlu, gsm8k, gsm8k_cot, gsm8k_cot_zeroshot, custom.
const std::vector<HarnessTask> &harnessTasks();
// Throws std::invalid_argument naming the known tasks.
const HarnessTask &harnessTask(const std::string &name);

// What is scored for one record.
struct HarnessRequest
{
    RequestKind kind = RequestKind::Choice;
    std::vector<std::string> contexts; // Partial: one per option; else one
    std::vector<std::string> continuations; // Choice: one per choice; Partial: the shared one
    std::vector<std::string> choices; // the choice strings (acc_norm divides by their length)
    int64_t gold = -1;
    std::string target; // Generation: the reference before answer extraction
    std::string group; // mmlu: the subject (per-subject scores); else ""
    // Choice: the paper's label-token view (the question alone and the choices' texts, no
    // shots; BoolQ without its passage); empty where the generic view serves.
    std::string label_context;
    std::vector<std::string> label_choices;
};

struct PromptOptions
{
    std::optional<int64_t> shots; // none: the task's default_shots
    int64_t limit = 0; // > 0: only the first `limit` records
    uint64_t fewshot_seed = 1234; // lm-eval's default few-shot seed
};

// The requests of `records` in input order. Few-shot examples come from `fewshotPool` (for
// mmlu: the pool's records of the same subject, first n; gsm8k_cot: its eight fixed
// exemplars), drawn with one random.Random(fewshot_seed) consumed record by record as lm-eval
// does. Throws data::DataError naming file, line and field for a bad record, and
// std::invalid_argument for impossible options (shots without a pool, more shots than the pool
// has, no records).
std::vector<HarnessRequest> buildRequests(const HarnessTask &task,
                                          const std::vector<Record> &records,
                                          const std::vector<Record> &fewshotPool,
                                          const PromptOptions &options);

// One line of `slimctl prompts`: {"context", "continuations", "gold"} (Choice),
// {"contexts", "continuation", "gold"} (Partial), {"context", "target"} (Generation).
nlohmann::json promptJson(const HarnessRequest &request);

} // namespace slim::suites
