#pragma once
// slimctl prompts: what lm-evaluation-harness's tasks score for each record of a dataset file,
// one JSON object a line, so anyone can hold our prompts against another harness.

#include <cstdint>
#include <optional>
#include <string>

namespace slim::cli {

struct PromptsArgs
{
    std::string task; // arc_easy, ..., mmlu, gsm8k (suites/harness_tasks.h)
    std::string data; // the records to evaluate
    std::optional<int64_t> shots; // none: lm-eval's default for the task
    std::string fewshotData; // the few-shot pool (mmlu: the dev split)
    int64_t limit = 0; // > 0: the first K records only
};

// Prints {"context", "continuations", "gold"} (choice tasks), {"contexts", "continuation",
// "gold"} (winogrande) or {"context", "target"} (generation) per record, in input order.
int cmdPrompts(const PromptsArgs &a);

} // namespace slim::cli
