#include "suite_tasks.h"

#include "common/sha256.h"
#include "data/data_locator.h"
#include "data/task_catalog.h"
#include "harness_tasks.h"

#include <map>
#include <stdexcept>

namespace slim::suites {

namespace {

const char *filterName(AnswerFilter filter)
{
    switch (filter) {
    case AnswerFilter::Line:
        return "line";
    case AnswerFilter::Gsm8k:
        return "gsm8k";
    case AnswerFilter::Gsm8kCot:
        return "gsm8k_cot";
    }
    return "line";
}

// lm-eval's max_gen_toks default.
constexpr int64_t kHarnessMaxNewTokens = 256;

data::Task emptyTask(const HarnessTask &harness, const std::string &name, RequestKind kind,
                     const SuiteSpec &spec, int64_t shots)
{
    data::Task task;
    task.name = name;
    task.version = harness.version;
    task.kind
        = kind == RequestKind::Generation ? data::TaskKind::Generation : data::TaskKind::Choice;
    task.general = true;
    task.target_delimiter = " ";
    task.shots = shots;
    // The prompt's identity: the task's definition, its shots and where they come from.
    task.prompt_template = "lm-eval " + harness.name + " " + harness.version + "; shots "
        + std::to_string(shots) + "; few-shot pool "
        + (spec.fewshot_data.empty() ? std::string("none")
                                     : common::sha256HexOfFile(spec.fewshot_data));
    // Users' own tasks (custom) report what the built-in tasks of their kind report.
    if (kind == RequestKind::Generation && harness.filter != AnswerFilter::Line)
        task.metrics = {"exact_match,strict-match", "exact_match,flexible-extract"};
    else if (harness.name != "custom")
        task.metrics = harness.metrics;
    if (kind == RequestKind::Generation && harness.filter != AnswerFilter::Line) {
        task.generation.stop_strings = harness.until;
        task.generation.answer_filter = filterName(harness.filter);
        task.generation.max_new_tokens = kHarnessMaxNewTokens;
    }
    return task;
}

void addItem(data::Task &task, const HarnessRequest &request)
{
    switch (request.kind) {
    case RequestKind::Choice:
        task.choiceTest.emplace_back(request.contexts.front(), request.choices, request.gold);
        task.choiceTest.back().label_context = request.label_context;
        task.choiceTest.back().label_choices = request.label_choices;
        break;
    case RequestKind::Partial: {
        // contexts[k] = common prefix + option k; the continuation is " " + the shared text.
        const auto &first = request.contexts.front();
        const auto prefix = first.substr(0, first.size() - request.choices.front().size());
        task.choiceTest.push_back(
            {prefix, request.choices, request.gold, request.continuations.front().substr(1)});
        break;
    }
    case RequestKind::Generation:
        task.generationTest.push_back({request.contexts.front(), request.target});
        break;
    }
}

} // namespace

std::vector<data::Task> suiteTasks(const SuiteSpec &spec)
{
    const auto &harness = harnessTask(spec.task);
    const auto records = readRecords(spec.data);
    if (records.empty())
        throw data::DataError(spec.data + ": no records; an evaluation suite needs at least one");
    const auto pool
        = spec.fewshot_data.empty() ? std::vector<Record>() : readRecords(spec.fewshot_data);
    PromptOptions options;
    options.shots = spec.shots;
    options.limit = spec.limit;
    const auto requests = buildRequests(harness, records, pool, options);
    const auto shots = spec.shots.value_or(harness.default_shots);

    std::vector<data::Task> tasks;
    std::map<std::string, size_t> byGroup;
    for (const auto &request : requests) {
        const auto name = request.group.empty() ? harness.name : harness.name + "_" + request.group;
        auto [it, added] = byGroup.emplace(name, tasks.size());
        if (added)
            tasks.push_back(emptyTask(harness, name, request.kind, spec, shots));
        addItem(tasks[it->second], request);
    }
    for (auto &task : tasks)
        task.sha256 = data::computeTaskSha256(task);
    return tasks;
}

SuiteSpec parseSuiteEntry(const std::string &entry)
{
    const auto equals = entry.find('=');
    if (equals == std::string::npos || equals == 0 || equals + 1 == entry.size())
        throw std::invalid_argument("'" + entry + "' is not TASK=FILE[;fewshot=FILE][;shots=N]"
                                    "[;limit=K]");
    SuiteSpec spec;
    spec.task = entry.substr(0, equals);
    harnessTask(spec.task); // an unknown task lists the known ones
    auto rest = entry.substr(equals + 1);
    const auto firstOption = rest.find(';');
    spec.data = rest.substr(0, firstOption);
    if (spec.data.empty())
        throw std::invalid_argument("'" + entry + "' names no data file");
    auto number = [&](const std::string &key, const std::string &value, int64_t min) {
        size_t used = 0;
        int64_t n = -1;
        try {
            n = std::stoll(value, &used);
        } catch (const std::exception &) {
            used = 0;
        }
        if (used != value.size() || value.empty() || n < min)
            throw std::invalid_argument("'" + entry + "': " + key + " must be an integer >= "
                                        + std::to_string(min) + ", not '" + value + "'");
        return n;
    };
    for (size_t pos = firstOption; pos != std::string::npos;) {
        const auto next = rest.find(';', pos + 1);
        const auto option = rest.substr(pos + 1, next == std::string::npos ? next : next - pos - 1);
        pos = next;
        const auto eq = option.find('=');
        const auto key = option.substr(0, eq);
        const auto value = eq == std::string::npos ? std::string() : option.substr(eq + 1);
        if (key == "fewshot" && !value.empty())
            spec.fewshot_data = value;
        else if (key == "shots")
            spec.shots = number(key, value, 0);
        else if (key == "limit")
            spec.limit = number(key, value, 1);
        else
            throw std::invalid_argument("'" + entry + "': unknown option '" + option
                                        + "' (fewshot=FILE, shots=N, limit=K)");
    }
    return spec;
}

} // namespace slim::suites
