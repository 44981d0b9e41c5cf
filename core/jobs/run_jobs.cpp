#include "run_jobs.h"
#include "git_commit.h"
#include "run_exports.h"

#include "pipeline/experiment.h"
#include "pipeline/pretraining.h"
#include "data/data_locator.h"
#include "recorder/run_recorder.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <sched.h>

#include <cstdlib>
#include <thread>

namespace slim::jobs {

namespace fs = std::filesystem;
using engine::RunOutcome;

namespace {

constexpr const char *kPretrainMethod = "pretrain";

std::string joinProblems(const std::vector<SpecProblem> &problems)
{
    std::string text;
    for (const auto &p : problems)
        text += (text.empty() ? "" : "\n") + (p.path.empty() ? p.message : p.path + ": " + p.message);
    return text;
}

nlohmann::json parseSpec(const std::string &specJson)
{
    try {
        return nlohmann::json::parse(specJson);
    } catch (const nlohmann::json::exception &e) {
        throw std::invalid_argument(std::string("not valid JSON: ") + e.what());
    }
}

// A store error's words without the SQL it names (the detail keeps it).
std::string withoutStatement(const std::string &storeError)
{
    return storeError.substr(0, storeError.find(" (in: "));
}

// Runs `body` with the recorder (and the extra observer) attached; records the outcome.
template<typename Body>
RunOutcome recorded(store::RunStore &db, std::int64_t runId, const ExecuteOptions &options,
                    Body &&body)
{
    store::RunRecorder recorder(db, runId);
    std::vector<engine::RunObserver *> observers{&recorder};
    if (options.extra)
        observers.push_back(options.extra);
    engine::ObserverFanout fanout(observers);
    RunOutcome outcome;
    try {
        recorder.started();
        outcome = body(recorder, fanout);
    } catch (const std::exception &e) {
        outcome = {engine::RunStatus::Failed, "the run could not start", e.what()};
    }
    try {
        recorder.finished(outcome);
    } catch (const std::exception &e) {
        // The cause stays first; the run is listed as interrupted once this process ends.
        const bool wasFailure = outcome.status == engine::RunStatus::Failed;
        outcome = {engine::RunStatus::Failed,
                   (wasFailure ? outcome.message + "; its outcome" : std::string("it finished, but its outcome"))
                       + " could not be recorded: " + withoutStatement(e.what()),
                   outcome.detail.empty() ? e.what() : outcome.detail};
    }
    return outcome;
}

} // namespace

std::string runSpecSchemaText()
{
    return engine::runSpecSchemaJson().dump();
}

std::vector<std::string> presetNames()
{
    return engine::presetNames();
}

std::string presetSpecText(const std::string &name)
{
    return engine::preset(name).toJson().dump(2);
}

std::vector<SpecProblem> validateSpecText(const std::string &specJson)
{
    nlohmann::json json;
    try {
        json = nlohmann::json::parse(specJson);
    } catch (const nlohmann::json::exception &e) {
        return {{"", std::string("not valid JSON: ") + e.what()}};
    }
    std::vector<SpecProblem> problems;
    for (const auto &e : engine::validateRunSpec(json))
        problems.push_back({e.path, e.message});
    return problems;
}

std::string normalisedSpecText(const std::string &specJson)
{
    if (auto problems = validateSpecText(specJson); !problems.empty())
        throw std::invalid_argument(joinProblems(problems));
    return engine::runSpecFromJson(parseSpec(specJson)).toJson().dump(2);
}

std::int64_t queueRun(store::RunStore &db, const RunRequest &request)
{
    if (auto problems = validateSpecText(request.specJson); !problems.empty())
        throw std::invalid_argument(joinProblems(problems));
    const auto spec = engine::runSpecFromJson(parseSpec(request.specJson));
    store::RunRecord record;
    record.name = spec.name;
    record.method = engine::methodName(spec.adapter.method);
    record.specJson = spec.toJson().dump();
    record.seed = std::int64_t(spec.seed);
    record.gitCommit = gitCommit();
    record.tags = request.tags;
    record.parentRunId = request.parentRunId;
    record.uuid = request.uuid;
    record.sweepId = request.sweepId;
    record.sweepIndex = request.sweepIndex;
    return db.createRun(record);
}

std::int64_t queueBaseModelBuild(store::RunStore &db, const WorkbenchPaths &paths,
                                 std::int64_t steps, const std::string &outDir)
{
    auto plan = engine::PretrainPlan::builtin();
    if (steps > 0)
        plan.schedule.steps = steps;
    const fs::path out = outDir.empty() ? paths.builtin_model : fs::path(outDir);
    auto spec = plan.toJson();
    spec["out_dir"] = fs::absolute(out).string();
    store::RunRecord record;
    record.name = "pretrain " + out.filename().string();
    record.method = kPretrainMethod;
    record.specJson = spec.dump();
    record.seed = std::int64_t(plan.seed);
    record.gitCommit = gitCommit();
    record.tags = {"pretrain"};
    return db.createRun(record);
}

bool baseModelReady(const fs::path &dir)
{
    return engine::isCurrentBuiltinModel(dir);
}

bool builtinModelReady(const WorkbenchPaths &paths)
{
    if (baseModelReady(paths.builtin_model))
        return true;
    const auto shipped = data::DataLocator::fromEnvironment().resourcesRoot() / "base-model";
    if (!engine::isCurrentBuiltinModel(shipped, /*exact=*/true))
        return false;
    const auto staging = fs::path(paths.builtin_model.string() + ".installing");
    fs::remove_all(staging);
    fs::create_directories(staging);
    for (const auto &entry : fs::directory_iterator(shipped)) {
        if (entry.is_regular_file())
            fs::copy_file(entry.path(), staging / entry.path().filename());
    }
    fs::remove_all(paths.builtin_model);
    fs::rename(staging, paths.builtin_model);
    return baseModelReady(paths.builtin_model);
}

bool needsBuiltinModel(const store::RunRecord &run)
{
    if (run.method == kPretrainMethod)
        return false;
    const auto spec = nlohmann::json::parse(run.specJson, nullptr, false);
    return spec.is_object() && spec.value("base_model", std::string("builtin")) == "builtin";
}

void checkResumable(store::RunStore &db, std::int64_t runId)
{
    const auto run = db.getRun(runId);
    const auto id = std::to_string(runId);
    if (!run)
        throw std::invalid_argument("there is no run " + id);
    if (run->method == kPretrainMethod)
        throw std::invalid_argument("run " + id + " builds the base model: build it again instead");
    if (run->status == store::RunStatus::Succeeded)
        throw std::invalid_argument("run " + id + " has already finished");
    if (run->status == store::RunStatus::Running)
        throw std::invalid_argument("run " + id + " is running in process "
                                    + std::to_string(run->pid.value_or(0)));
}

void deleteRun(store::RunStore &db, const WorkbenchPaths &paths, std::int64_t runId,
               bool removeFiles)
{
    const auto run = db.getRun(runId);
    const auto id = std::to_string(runId);
    if (!run)
        throw std::invalid_argument("there is no run " + id);
    if (run->status == store::RunStatus::Running || run->status == store::RunStatus::Queued)
        throw std::invalid_argument("run " + id + " is " + std::string(store::runStatusName(run->status))
                                    + " in process " + std::to_string(run->pid.value_or(0))
                                    + ": cancel it first");
    db.deleteRun(runId);
    if (removeFiles)
        fs::remove_all(runFolderOf(*run, paths));
}

void cancelQueuedRun(store::RunStore &db, std::int64_t runId, const std::string &message)
{
    const auto run = db.getRun(runId);
    if (run && run->status == store::RunStatus::Queued)
        db.setStatus(runId, store::RunStatus::Cancelled, message);
}

namespace {

std::vector<std::string> methodsOrAll(const std::vector<std::string> &methods)
{
    if (!methods.empty())
        return methods;
    std::vector<std::string> names;
    for (auto m : engine::allMethods())
        names.push_back(engine::methodName(m));
    return names;
}

// The built-in preset "builtin-<suffix>" named `name`, with the overrides given.
RunRequest presetRequest(const std::string &suffix, const std::string &name,
                         std::int64_t steps, std::optional<std::int64_t> seed,
                         const std::string &baseModel, const std::string &tag)
{
    auto spec = nlohmann::json::parse(presetSpecText("builtin-" + suffix));
    spec["name"] = name;
    if (steps > 0)
        spec["schedule"]["steps"] = steps;
    if (seed)
        spec["seed"] = *seed;
    if (!baseModel.empty())
        spec["base_model"] = fs::absolute(baseModel).lexically_normal().string();
    return {.specJson = normalisedSpecText(spec.dump()), .tags = {tag}};
}

} // namespace

std::vector<RunRequest> demoPlan(const std::vector<std::string> &methods, std::int64_t steps)
{
    std::vector<RunRequest> plan;
    for (const auto &method : methodsOrAll(methods))
        plan.push_back(presetRequest(method, "demo " + method, steps, std::nullopt, {}, "demo"));
    return plan;
}

std::vector<RunRequest> benchmarkPlan(const BenchmarkOptions &options)
{
    if (options.seeds < 1)
        throw std::invalid_argument("seeds: " + std::to_string(options.seeds)
                                    + " is less than 1");
    auto suffixes = methodsOrAll(options.methods);
    if (options.ablations) {
        for (const auto &name : presetNames()) {
            if (name.rfind("builtin-slim-", 0) == 0)
                suffixes.push_back(name.substr(std::string("builtin-").size()));
        }
    }
    std::vector<RunRequest> plan;
    for (const auto &suffix : suffixes) {
        for (std::int64_t seed = 1; seed <= options.seeds; ++seed)
            plan.push_back(presetRequest(suffix,
                                         "benchmark " + suffix + " seed " + std::to_string(seed),
                                         options.steps, seed, options.baseModel, "benchmark"));
    }
    return plan;
}

int engineThreadCount()
{
    for (const char *variable : {"OMP_NUM_THREADS", "SLURM_CPUS_PER_TASK"}) {
        const char *text = std::getenv(variable);
        char *end = nullptr;
        const long count = text ? std::strtol(text, &end, 10) : 0;
        if (text && end != text && *end == '\0' && count >= 1 && count <= 4096)
            return int(count);
    }
    cpu_set_t cpus;
    CPU_ZERO(&cpus);
    if (sched_getaffinity(0, sizeof(cpus), &cpus) == 0 && CPU_COUNT(&cpus) > 0)
        return CPU_COUNT(&cpus);
    return int(std::max(1u, std::thread::hardware_concurrency()));
}

void configureEngineThreads()
{
    torch::set_num_threads(engineThreadCount());
}

RunOutcome executeRun(store::RunStore &db, const WorkbenchPaths &paths, std::int64_t runId,
                      std::stop_token stop, const ExecuteOptions &options)
{
    configureEngineThreads();
    std::optional<store::RunRecord> run;
    try {
        run = db.getRun(runId);
    } catch (const std::exception &e) {
        return {engine::RunStatus::Failed, "the run store could not be read", e.what()};
    }
    if (!run)
        return {engine::RunStatus::Failed, "there is no run " + std::to_string(runId), ""};
    const fs::path runDir = runFolderOf(*run, paths);
    if (run->method == kPretrainMethod) {
        return recorded(db, runId, options, [&](auto &, engine::RunObserver &observer) {
            const auto spec = nlohmann::json::parse(run->specJson);
            auto plan = engine::PretrainPlan::builtin();
            plan.schedule.steps = spec.at("schedule").at("steps").get<std::int64_t>();
            const fs::path out = spec.value("out_dir", paths.builtin_model.string());
            observer.log("building the base model (" + std::to_string(plan.schedule.steps)
                         + " steps; it is built once and reused)");
            return engine::runPretraining(plan, out, runDir, data::DataLocator::fromEnvironment(),
                                          observer, stop, {}, options.device);
        });
    }
    return recorded(db, runId, options, [&](auto &recorder, engine::RunObserver &observer) {
        engine::ExperimentContext context;
        context.spec = engine::runSpecFromJson(nlohmann::json::parse(run->specJson));
        context.run_dir = runDir;
        context.builtin_model_dir = paths.builtin_model;
        context.score_cache = &recorder;
        context.device = options.device;
        if (options.resume) {
            const auto checkpoints = db.checkpoints(runId); // by step
            for (auto it = checkpoints.rbegin(); it != checkpoints.rend(); ++it)
                context.resume_checkpoints.emplace_back(it->path);
        }
        return engine::runExperiment(context, observer, stop);
    });
}

} // namespace slim::jobs
