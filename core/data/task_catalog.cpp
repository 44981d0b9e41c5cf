#include "data/task_catalog.h"

#include "common/sha256.h"
#include "data/task_builders.h"

namespace slim::data {
namespace {

void appendField(std::string &out, std::string_view bytes)
{
    out += std::to_string(bytes.size());
    out.push_back(':');
    out.append(bytes);
    out.push_back('\n');
}

std::string kindName(TaskKind kind)
{
    switch (kind) {
    case TaskKind::Choice:
        return "choice";
    case TaskKind::Generation:
        return "generation";
    case TaskKind::Text:
        return "text";
    }
    return "unknown";
}

} // namespace

std::vector<std::string> generalTaskNames()
{
    return {"brown_heldout", "capitals", "continents"};
}

std::vector<std::string> downstreamTaskNames()
{
    return {"name_gender", "word_class", "reversal", "sentiment"};
}

std::vector<std::string> taskNames()
{
    std::vector<std::string> names = generalTaskNames();
    for (std::string &name : downstreamTaskNames())
        names.push_back(std::move(name));
    return names;
}

Task buildTask(const std::string &name, const DataLocator &locator, const TaskOptions &options)
{
    Task task;
    if (name == "brown_heldout")
        task = buildBrownHeldOutTask(locator);
    else if (name == "capitals")
        task = buildCapitalsTask(locator, options);
    else if (name == "continents")
        task = buildContinentsTask(locator, options);
    else if (name == "name_gender")
        task = buildNameGenderTask(locator, options);
    else if (name == "sentiment")
        task = buildSentimentTask(locator, options);
    else if (name == "word_class")
        task = buildWordClassTask(locator, options);
    else if (name == "reversal")
        task = buildReversalTask(options);
    else {
        std::string known;
        for (const std::string &candidate : taskNames())
            known += (known.empty() ? "" : ", ") + candidate;
        throw DataError("unknown task \"" + name + "\" (known: " + known + ")");
    }
    task.sha256 = computeTaskSha256(task);
    return task;
}

std::string canonicalTaskSerialisation(const Task &task)
{
    std::string out = "slim-task/1\n";
    appendField(out, task.name);
    appendField(out, task.version);
    appendField(out, kindName(task.kind));
    appendField(out, task.general ? "general" : "downstream");
    appendField(out, task.target_delimiter);
    appendField(out, task.prompt_template);
    appendField(out, "train " + std::to_string(task.train.size()));
    for (const TextExample &example : task.train) {
        appendField(out, example.prompt);
        appendField(out, example.answer);
        // (absent from the built-in tasks' serialisation, whose hashes stay)
        if (!example.segments.empty())
            appendField(out, std::string("segments ") + (example.own_special_tokens ? "own" : "")
                                 + std::to_string(example.segments.size()));
        for (const TextSegment &segment : example.segments)
            appendField(out, (segment.trained ? "+" : "-") + segment.text);
    }
    appendField(out, "choice " + std::to_string(task.choiceTest.size()));
    for (const ChoiceItem &item : task.choiceTest) {
        appendField(out, item.context);
        appendField(out,
                    std::to_string(item.choices.size()) + " gold " + std::to_string(item.gold));
        for (const std::string &choice : item.choices)
            appendField(out, choice);
        if (!item.shared_continuation.empty()) // (absent from the built-in tasks' serialisation)
            appendField(out, "shared " + item.shared_continuation);
        if (!item.label_context.empty() || !item.label_choices.empty()) {
            appendField(out, "label " + item.label_context);
            for (const std::string &choice : item.label_choices)
                appendField(out, choice);
        }
    }
    appendField(out, "generation " + std::to_string(task.generationTest.size()));
    for (const GenerationItem &item : task.generationTest) {
        appendField(out, item.prompt);
        appendField(out, item.target);
    }
    appendField(out, "texts " + std::to_string(task.texts.size()));
    for (const std::string &text : task.texts)
        appendField(out, text);
    // What the built-in tasks leave at their defaults is not serialised, so their hashes stay.
    const auto &rule = task.generation;
    if (!rule.stop_strings.empty() || rule.answer_filter != "line" || rule.max_new_tokens != 0) {
        appendField(out, "generation rule " + rule.answer_filter + " "
                             + std::to_string(rule.max_new_tokens));
        for (const std::string &stop : rule.stop_strings)
            appendField(out, stop);
    }
    if (!task.metrics.empty() || task.shots != 0) {
        appendField(out, "shots " + std::to_string(task.shots));
        for (const std::string &metric : task.metrics)
            appendField(out, metric);
    }
    return out;
}

std::string computeTaskSha256(const Task &task)
{
    return common::sha256Hex(canonicalTaskSerialisation(task));
}

} // namespace slim::data
