#include "run_tasks.h"

#include "data/task_catalog.h"
#include "suites/suite_tasks.h"
#include "suites/training_set.h"
#include "train/batch_builder.h"

#include <algorithm>
#include <cstdio>
#include <set>
#include <stdexcept>

namespace slim::engine {

namespace fs = std::filesystem;

RunTasks buildTasks(const ExperimentContext &c, const tok::Tokenizer &tokenizer)
{
    const auto &spec = c.spec;
    data::TaskOptions options;
    options.trainSize = size_t(spec.data.train_examples_per_task);
    RunTasks out;
    for (const auto &name : spec.eval.general_tasks)
        out.evaluated.push_back(data::buildTask(name, c.locator, options));
    for (bool general : {true, false}) {
        for (const auto &entry : general ? spec.eval.suites : spec.eval.downstream_suites) {
            for (auto &task : suites::suiteTasks(suites::parseSuiteEntry(entry))) {
                task.general = general;
                task.sha256 = data::computeTaskSha256(task);
                out.evaluated.push_back(std::move(task));
            }
        }
    }
    for (const auto &name : spec.data.tasks) {
        if (suites::isDatasetPath(name)) {
            auto task = suites::trainingSetTask(name, spec.data.prompt_format, tokenizer,
                                                spec.schedule.answer_only_loss);
            // Exports often name every split train.jsonl: boolq/train.jsonl, piqa/train.jsonl.
            for (const auto &other : out.training) {
                if (other.name == task.name) {
                    task.name = fs::path(name).parent_path().filename().string() + "/"
                                + task.name;
                    break;
                }
            }
            out.training.push_back(std::move(task));
            continue;
        }
        const auto builtin = data::downstreamTaskNames();
        if (std::find(builtin.begin(), builtin.end(), name) == builtin.end()) {
            std::string known;
            for (const auto &b : builtin)
                known += (known.empty() ? "" : ", ") + b;
            throw std::invalid_argument("data.tasks: '" + name + "' is neither a built-in "
                                        "downstream task (" + known + ") nor a dataset file (a "
                                        "path ending in .jsonl, .json or .csv)");
        }
        auto task = data::buildTask(name, c.locator, options);
        out.training.push_back(task);
        out.evaluated.push_back(std::move(task));
    }
    std::set<std::string> names;
    for (const auto &task : out.evaluated) {
        if (!names.insert(task.name).second)
            throw std::invalid_argument("eval: the task '" + task.name
                                        + "' is evaluated twice (in general_tasks, suites, "
                                          "downstream_suites or data.tasks)");
    }
    return out;
}

void reportTruncation(const std::vector<data::TextExample> &examples,
                      const tok::Tokenizer &tokenizer, const TrainOptions &schedule,
                      RunObserver &observer)
{
    const auto options = batchOptions(schedule);
    int64_t cut = 0;
    for (const auto &example : examples)
        cut += tokenizeExample(example, tokenizer, options).truncated ? 1 : 0;
    if (cut == 0)
        return;
    char share[32];
    std::snprintf(share, sizeof share, "%.1f", 100.0 * double(cut) / double(examples.size()));
    observer.log("data: " + std::to_string(cut) + " of the " + std::to_string(examples.size())
                 + " examples the run trains on (" + share
                 + " %) are longer than schedule.max_length (" + std::to_string(schedule.max_length)
                 + " tokens) and are cut to it");
}

} // namespace slim::engine
