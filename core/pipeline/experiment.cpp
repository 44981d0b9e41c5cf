#include "experiment.h"

#include "example_sources.h"
#include "run_preflight.h"
#include "common/sha256.h"
#include "data/task_catalog.h"
#include "suites/suite_tasks.h"
#include "suites/training_set.h"
#include "model/model_io.h"
#include "train/trainer.h"

#include <torch/torch.h>

#include <algorithm>
#include <cstdio>
#include <set>


namespace slim::engine {

namespace fs = std::filesystem;

torch::Device chooseDevice(const std::string &requested)
{
    if (!requested.empty())
        return torch::Device(requested);
    return torch::cuda::is_available() ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
}

torch::ScalarType chooseDtype(const std::string &requested, torch::Device device,
                              const LlamaConfig &config)
{
    if (!requested.empty() && requested != "auto")
        return dtypeFromName(requested);
    return device.is_cuda() ? dtypeFromName(config.torch_dtype) : torch::kFloat;
}

std::map<std::string, std::string> engineVersions()
{
    return {{"libtorch", TORCH_VERSION},
            {"cuda", torch::cuda::is_available() ? "available" : "none"},
            {"slim_workbench", "0.1.0"}};
}

namespace {

std::string weightsHash(const fs::path &modelDir)
{
    common::Sha256 hash;
    std::vector<fs::path> files;
    for (const auto &entry : fs::directory_iterator(modelDir)) {
        if (entry.path().extension() == ".safetensors" || entry.path().filename() == "config.json")
            files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto &f : files)
        hash.update(f.filename().string() + ":" + common::sha256HexOfFile(f) + "\n");
    return hash.hexDigest();
}

struct RunTasks
{
    std::vector<data::Task> training;  // data.tasks, in order (built-in tasks and files)
    std::vector<data::Task> evaluated; // general tasks and suites, built-in downstream tasks
};

// Every task of the run, read and checked before any weight is loaded: a bad record or an
// empty suite stops the run here.
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

// Says how many of the examples the run trains on are cut to max_length, never silently.
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

RunOutcome run(const ExperimentContext &c, RunObserver &observer, std::stop_token stop)
{
    const auto &spec = c.spec;
    const auto device = chooseDevice(c.device);
    const fs::path modelDir = spec.base_model == "builtin" ? c.builtin_model_dir
                                                           : fs::path(spec.base_model);
    if (!fs::exists(modelDir / "config.json"))
        throw ModelLoadError("base model " + modelDir.string()
                             + " not found (run `slimctl pretrain` to build the built-in one)");
    const auto config = loadConfig(modelDir);
    std::optional<tok::Tokenizer> tokenizer; // the tasks are tokenized with it
    try {
        tokenizer = tok::Tokenizer::forModel(modelDir, config.vocab_size);
    } catch (const std::runtime_error &e) {
        throw std::invalid_argument(std::string("base_model: ") + e.what());
    }
    auto tasks = buildTasks(c, *tokenizer);
    if (tasks.training.empty() && spec.schedule.steps > 0)
        throw std::invalid_argument("data.tasks: nothing to train on (name built-in tasks or "
                                    "dataset files, or set schedule.steps to 0 to evaluate)");
    // Before any weight is read: a job that cannot fit says so now.
    const auto memory = checkRunMemory(spec, config, device.str());
    observer.log("memory: " + memory.summary());
    if (!memory.fits())
        throw std::invalid_argument("the job " + memory.summary()
                                    + "; lower schedule.batch_size or schedule.max_length, raise "
                                      "schedule.grad_accum, or load the base in bf16 "
                                      "(base_dtype)");
    const auto dtype = dtypeFromName(memory.dtype);
    observer.log("loading base model " + modelDir.string() + " (" + dtypeName(dtype) + " on "
                 + device.str() + ")");
    std::vector<std::string> warnings;
    auto model = loadModel(modelDir, device, dtype, &warnings);
    for (const auto &w : warnings)
        observer.log("warning: " + w);

    RunPrepared prepared;
    prepared.device = device.str();
    prepared.model_hash = weightsHash(modelDir);
    prepared.versions = engineVersions();
    for (const auto *list : {&tasks.training, &tasks.evaluated}) {
        for (const auto &t : *list)
            prepared.dataset_hashes[t.name] = t.sha256;
    }
    SuiteEvaluator evaluator(tasks.evaluated, *tokenizer, spec.eval, observer, c.score_cache);
    evaluator.scoreReferences(model, prepared.model_hash, stop);
    if (stop.stop_requested())
        return {RunStatus::Cancelled, "cancelled before training", ""};

    torch::manual_seed(spec.seed);
    AdapterSet adapters(nullptr);
    if (spec.init_adapter.empty()) {
        adapters = AdapterSet(model, spec.adapter);
    } else {
        // An adapter trained elsewhere (PEFT) or exported: trained further, or only evaluated.
        observer.log("starting from the adapter in " + spec.init_adapter);
        adapters = loadAdapters(spec.init_adapter, model);
        if (adapters->config().method != spec.adapter.method)
            throw std::invalid_argument("init_adapter: " + spec.init_adapter + " holds a "
                                        + methodName(adapters->config().method)
                                        + " adapter, but adapter.method is "
                                        + methodName(spec.adapter.method));
    }
    prepared.trainable_parameters = adapters->trainableParameterCount();
    observer.prepared(prepared);

    const bool evaluateOnly = spec.schedule.steps == 0;
    TaskExampleSource source(tasks.training, spec.seed,
                             std::max<int64_t>(1, spec.schedule.steps) * spec.schedule.batch_size,
                             spec.schedule.batch_size, spec.data.proportions);
    if (!evaluateOnly)
        reportTruncation(source.all(), *tokenizer, spec.schedule, observer);
    Trainer trainer(adapters, spec.schedule, source, *tokenizer, observer, c.run_dir / "checkpoints");
    bool evalStopped = false;
    trainer.evaluate = [&](int64_t step, bool final) {
        const bool full = final && spec.eval.final_full;
        if (!evaluator.scoreRun(model, adapters.get(), step, final, full, stop))
            evalStopped = true;
    };
    if (c.resume_checkpoint) {
        observer.log("resuming from " + c.resume_checkpoint->string());
        trainer.resumeFrom(*c.resume_checkpoint);
    } else if (!evaluateOnly) {
        // Step 0: the adapted model before training (zero-initialised adapters: the base).
        adapters->eval();
        if (!evaluator.scoreRun(model, adapters.get(), 0, false, false, stop))
            return {RunStatus::Cancelled, "cancelled before training", ""};
    }
    auto status = trainer.run(stop);
    if (evaluateOnly && status == RunStatus::Succeeded) {
        // No training: the adapter as it came, scored like a trained run's final step.
        adapters->eval();
        trainer.evaluate(0, true);
        trainer.saveCheckpoint();
    }
    if (status == RunStatus::Cancelled || evalStopped || stop.stop_requested())
        return {RunStatus::Cancelled,
                "cancelled at step " + std::to_string(trainer.step())
                    + "; the last checkpoint is kept and the run can be resumed",
                ""};
    const auto &final = trainer.lastCheckpoint();
    observer.artifactSaved(spec.adapter.method == AdapterMethod::Full ? "model" : "adapter",
                           final.dir.string(), final.sha256, final.bytes);
    return {RunStatus::Succeeded, "finished " + std::to_string(trainer.step()) + " steps", ""};
}

} // namespace

RunOutcome runExperiment(const ExperimentContext &context, RunObserver &observer,
                         std::stop_token stop)
{
    try {
        return run(context, observer, stop);
    } catch (const std::invalid_argument &e) {
        return {RunStatus::Failed, std::string("invalid run: ") + e.what(), e.what()};
    } catch (const data::DataError &e) {
        return {RunStatus::Failed, std::string("bad data: ") + e.what(), e.what()};
    } catch (const ModelLoadError &e) {
        return {RunStatus::Failed, std::string("cannot load the model: ") + e.what(), e.what()};
    } catch (const std::exception &e) {
        return {RunStatus::Failed, "the run failed: " + std::string(e.what()), e.what()};
    }
}

} // namespace slim::engine
