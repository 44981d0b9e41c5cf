#include "experiment.h"

#include "example_sources.h"
#include "run_preflight.h"
#include "run_tasks.h"
#include "common/sha256.h"
#include "data/task_catalog.h"
#include "model/model_io.h"
#include "train/checkpoint_manifest.h"
#include "train/trainer.h"

#include <torch/torch.h>


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

// Resumes from the newest intact checkpoint (each verified once, by resumeFrom); the damaged
// ones newer than it are named in the log. False when none is intact.
bool resumeFromNewestIntact(Trainer &trainer, const std::vector<fs::path> &newestFirst,
                            RunObserver &observer)
{
    for (const auto &dir : newestFirst) {
        try {
            trainer.resumeFrom(dir);
            observer.log("resuming from " + dir.string());
            return true;
        } catch (const CheckpointDamaged &e) {
            observer.log("warning: checkpoint " + dir.filename().string() + " is damaged ("
                         + e.problem() + "); trying the one before");
        }
    }
    if (!newestFirst.empty())
        observer.log("warning: no intact checkpoint is left; the run starts again from step 0");
    return false;
}

// A run that stopped with an error while training: the cause, where it stopped and what is
// kept, in words; the full text as detail.
RunOutcome stoppedByError(const Trainer &trainer, const std::exception &e)
{
    const auto *torchError = dynamic_cast<const c10::Error *>(&e);
    std::string cause = torchError ? torchError->what_without_backtrace() : e.what();
    const bool outOfMemory = dynamic_cast<const std::bad_alloc *>(&e) != nullptr
                             || cause.find("out of memory") != std::string::npos
                             || cause.find("can't allocate memory") != std::string::npos;
    if (outOfMemory)
        cause = "out of memory (" + cause + "); lower schedule.batch_size or "
                "schedule.max_length, or raise schedule.grad_accum";
    const auto &kept = trainer.lastCheckpoint();
    const std::string after = kept.dir.empty()
                                  ? "no checkpoint was saved yet; resuming starts it again"
                                  : "its last checkpoint (step " + std::to_string(kept.step)
                                        + ") is kept and the run can be resumed";
    return {RunStatus::Failed,
            "stopped at step " + std::to_string(trainer.step()) + ": " + cause + "; " + after,
            e.what()};
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
    if (!resumeFromNewestIntact(trainer, c.resume_checkpoints, observer) && !evaluateOnly) {
        // Step 0: the adapted model before training (zero-initialised adapters: the base).
        adapters->eval();
        if (!evaluator.scoreRun(model, adapters.get(), 0, false, false, stop))
            return {RunStatus::Cancelled, "cancelled before training", ""};
    }
    RunStatus status = RunStatus::Succeeded;
    try {
        status = trainer.run(stop);
        if (evaluateOnly && status == RunStatus::Succeeded) {
            // No training: the adapter as it came, scored like a trained run's final step.
            adapters->eval();
            trainer.evaluate(0, true);
            trainer.saveCheckpoint();
        }
    } catch (const std::exception &e) {
        return stoppedByError(trainer, e);
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
