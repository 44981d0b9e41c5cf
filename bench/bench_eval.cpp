// Evaluation throughput (docs/benchmarks.md): multiple-choice items per second of the engine's
// evaluator (evaluateTask) on built-in tasks or lm-eval suites on a dataset file (a model
// folder's own tokenizer), in both scoring modes (log-likelihood of every
// choice, and the label-token logits), with the base model and with adapters attached in eval
// mode. Also writes the exact token requests it scored (--requests=FILE) so that
// bench/pytorch/bench_eval.py scores the very same sequences in the same batches.
// Usage: bench_eval [--out FILE] [--repeats N] [--warmup N] [--quick] [--model=DIR|random]
//                   [--tasks=capitals,name_gender|hellaswag=FILE,...] [--batch=32] [--requests=FILE]
//                   [--models=base,lora,slim] [--threads=N] [--round=N]
//                   [--lockstep=IN_FIFO,OUT_FIFO,first|second] (see bench_harness.h)

#include "common/allocator_tuning.h"
#include "bench_engine.h"

#include "adapters/adapter_set.h"
#include "data/task_catalog.h"
#include "eval/evaluator.h"
#include "model/model_io.h"
#include "pipeline/pretraining.h"
#include "pipeline/run_spec.h"
#include "suites/suite_tasks.h"
#include "tokenizer/builtin_tokenizer.h"

#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <iostream>

using namespace slim::engine;
using namespace slim::bench;
namespace data = slim::data;
namespace fs = std::filesystem;

namespace {

constexpr const char *kUsage
    = "bench_eval [--out FILE] [--repeats N] [--warmup N] [--quick] [--model=DIR|random]\n"
      "           [--tasks=capitals,name_gender|hellaswag=FILE,...] [--batch=32]\n"
      "           [--requests=FILE]\n"
      "           [--models=base,lora,slim] [--threads=N] [--round=N]\n"
      "           [--lockstep=IN_FIFO,OUT_FIFO,first|second]";


std::vector<std::string> split(const std::string &text)
{
    std::vector<std::string> out;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ','))
        out.push_back(item);
    return out;
}

// The sequences evaluateTask scores, rebuilt with the evaluator's own public helpers (the same
// calls it makes), for the PyTorch baseline.
nlohmann::json requestsOf(const data::Task &task, const slim::tok::Tokenizer &tokenizer,
                          int64_t maxLength)
{
    const auto encode = evaluationEncoder(tokenizer);
    nlohmann::json ll = nlohmann::json::array(), labels = nlohmann::json::array();
    size_t widest = 0;
    for (const auto &item : task.choiceTest)
        widest = std::max(widest, item.choices.size());
    std::vector<int64_t> labelIds, labelPrefix;
    for (size_t i = 0; i < widest; ++i) {
        auto ids = tokenizer.encode(std::string(" ") + char('A' + i), false);
        labelPrefix.assign(ids.begin(), ids.end() - 1);
        labelIds.push_back(ids.back());
    }
    for (const auto &item : task.choiceTest) {
        nlohmann::json requests = nlohmann::json::array();
        for (const auto &choice : item.choices) {
            auto r = continuationRequest(
                encodePair(encode, item.context, task.target_delimiter + choice), maxLength);
            requests.push_back({{"tokens", r.tokens}, {"scored", r.scored}});
        }
        ll.push_back({{"gold", item.gold}, {"requests", requests}});
        auto prompt = tokenizer.encode(labelPrompt(item), true);
        prompt.insert(prompt.end(), labelPrefix.begin(), labelPrefix.end());
        if (int64_t(prompt.size()) > maxLength)
            prompt.erase(prompt.begin(), prompt.end() - maxLength);
        labels.push_back({{"gold", item.gold},
                          {"prompt", prompt},
                          {"label_ids", std::vector<int64_t>(labelIds.begin(),
                                                             labelIds.begin()
                                                                 + int64_t(item.choices.size()))}});
    }
    return {{"task", task.name}, {"loglikelihood", ll}, {"label_logits", labels}};
}

// Built-in task names, or suites as a run spec names them ("hellaswag=items.jsonl"; mmlu gives
// one task per subject). Multiple-choice tasks only.
std::vector<data::Task> benchTasks(const std::string &list, const data::DataLocator &locator)
{
    std::vector<data::Task> tasks;
    for (const auto &entry : split(list)) {
        if (entry.find('=') == std::string::npos)
            tasks.push_back(data::buildTask(entry, locator));
        else
            for (auto &task : slim::suites::suiteTasks(slim::suites::parseSuiteEntry(entry)))
                tasks.push_back(std::move(task));
    }
    for (const auto &task : tasks) {
        const bool partial = !task.choiceTest.empty()
                             && !task.choiceTest.front().shared_continuation.empty();
        if (task.kind != data::TaskKind::Choice || partial)
            throw std::invalid_argument(task.name + " is not a multiple-choice task with one "
                                                    "context per item");
    }
    return tasks;
}

struct EvalCase
{
    std::string name;   // "base" or the method
    std::string preset; // "" = no adapters
};

} // namespace

int main(int argc, char **argv)
{
    slim::common::keepFreedMemoryInTheHeap(); // as slimctl and the window run
    try {
        auto args = parseArgs(argc, argv, kUsage);
        setEngineThreads(args);
        JsonLines out(args.out);
        out.write(machineInfo("bench_eval"));
        if (args.quick)
            args.repeat = quickRepeats();
        const auto batch = args.getInt("batch", 32); // EvalPlan's default batch
        const auto locator = data::DataLocator::fromEnvironment();
        std::string modelUsed;
        auto model = loadBenchModel(args.get("model", ""), &modelUsed);
        // A model folder's own tokenizer (a real model's), else the built-in byte tokenizer.
        const auto tokenizer = fs::exists(fs::path(modelUsed) / "config.json")
            ? slim::tok::Tokenizer::forModel(modelUsed, model->config().vocab_size)
            : slim::tok::builtinTokenizer();
        model->eval();
        const auto maxLength = model->config().max_position_embeddings;
        Lockstep lockstep(args.get("lockstep", ""));

        nlohmann::json dump = {{"model", modelUsed},
                               {"batch_size", batch},
                               {"max_length", maxLength},
                               {"tasks", nlohmann::json::array()}};
        std::vector<EvalCase> cases = {{"base", ""}, {"lora", "builtin-lora"},
                                       {"slim", "builtin-slim"}};
        if (args.quick)
            cases.resize(1);
        if (const auto wanted = args.get("models", ""); !wanted.empty()) {
            std::vector<EvalCase> chosen;
            for (const auto &name : split(wanted)) {
                for (const auto &c : cases) {
                    if (c.name == name)
                        chosen.push_back(c);
                }
            }
            cases = chosen;
        }
        for (const auto &task : benchTasks(args.get("tasks", "capitals,name_gender"), locator)) {
            const auto &taskName = task.name;
            auto requests = requestsOf(task, tokenizer, maxLength);
            for (const auto &c : cases) {
                AdapterSet adapters{nullptr};
                if (!c.preset.empty()) {
                    torch::manual_seed(5);
                    adapters = AdapterSet(model, preset(c.preset).adapter);
                    adapters->eval();
                }
                for (auto mode : {ChoiceMode::LogLikelihood, ChoiceMode::LabelLogits}) {
                    EvalOptions options;
                    options.choice_mode = mode;
                    options.batch_size = batch;
                    TaskScores scores;
                    const double loadBefore = loadAverage();
                    OtherLoad other;
                    auto repeat = args.repeat;
                    // With a lock-step partner, take turns evaluation by evaluation.
                    repeat.before_each = [&] {
                        other.pause();
                        lockstep.turn();
                        other.resume();
                    };
                    auto t = measure(
                        [&] {
                            torch::manual_seed(20250); // SLIM's sampled inference masks
                            scores = evaluateTask(model, tokenizer, task, options);
                        },
                        repeat);
                    const auto &ms = scores.modes.front();
                    const auto items = int64_t(task.choiceTest.size());
                    int64_t sequences = 0;
                    for (const auto &item : task.choiceTest)
                        sequences += mode == ChoiceMode::LogLikelihood
                                         ? int64_t(item.choices.size())
                                         : 1;
                    const auto modeName = std::string(scoringModeName(ms.mode));
                    out.write({{"record", "eval"},
                               {"implementation", "engine"},
                               {"round", args.getInt("round", 1)},
                               {"task", taskName},
                               {"model", c.name},
                               {"mode", modeName},
                               {"items", items},
                               {"sequences", sequences},
                               {"batch_size", batch},
                               {"items_per_s", double(items) / t.median()},
                               {"ms", t.median() * 1e3},
                               {"acc", ms.metric("acc")->value},
                               {"timing", t.toJson()},
                               {"loadavg_before", loadBefore},
                               {"other_cores", other.cores()},
                               {"lockstep", !args.get("lockstep", "").empty()},
                               {"loadavg_after", loadAverage()}});
                    if (c.name == "base")
                        requests[modeName + "_acc"] = ms.metric("acc")->value;
                }
                if (adapters)
                    adapters->detach();
            }
            dump["tasks"].push_back(requests);
        }
        lockstep.turn(); // the partner's last evaluation runs while we wait, not beside us
        const auto requestsPath = args.get("requests", "");
        if (!requestsPath.empty()) {
            std::ofstream file(requestsPath);
            file << dump.dump() << '\n';
            if (!file)
                throw std::runtime_error(requestsPath + ": cannot write");
        }
    } catch (const std::exception &e) {
        std::cerr << "bench_eval: " << e.what() << std::endl;
        return 1;
    }
    return 0;
}
