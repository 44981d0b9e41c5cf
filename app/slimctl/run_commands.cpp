// slimctl pretrain / train / resume / demo: every run goes through runExperiment (or
// runPretraining) with the RunRecorder, exactly as the GUI's jobs do.
#include "cli_context.h"
#include "command_args.h"
#include "progress_printer.h"
#include "run_table.h"

#include "pipeline/experiment.h"
#include "pipeline/pretraining.h"
#include "recorder/run_recorder.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <iostream>

namespace slim::cli {

namespace fs = std::filesystem;
using namespace slim::engine;

namespace {

int exitCode(const RunOutcome &outcome)
{
    return outcome.status == RunStatus::Succeeded ? 0
           : outcome.status == RunStatus::Cancelled ? 130
                                                    : 1;
}

void reportOutcome(const RunOutcome &outcome, std::int64_t runId)
{
    const char *word = outcome.status == RunStatus::Succeeded ? "succeeded"
                       : outcome.status == RunStatus::Cancelled ? "cancelled"
                                                                : "failed";
    std::cerr << "run " << runId << " " << word << ": " << outcome.message << "\n";
}

RunSpec loadSpec(const std::string &specArg)
{
    if (!fs::exists(specArg))
        return preset(specArg);
    std::ifstream in(specArg);
    nlohmann::json json;
    try {
        json = nlohmann::json::parse(in);
    } catch (const nlohmann::json::parse_error &e) {
        throw std::invalid_argument(specArg + ": not valid JSON (" + e.what() + ")");
    }
    try {
        return runSpecFromJson(json);
    } catch (const std::invalid_argument &e) {
        throw std::invalid_argument(specArg + ":\n" + e.what());
    }
}

std::int64_t createRunRecord(store::RunStore &db, const std::string &name,
                             const std::string &method, const nlohmann::json &spec,
                             std::optional<std::int64_t> seed, const std::vector<std::string> &tags)
{
    store::RunRecord record;
    record.name = name;
    record.method = method;
    record.specJson = spec.dump();
    record.seed = seed;
    record.gitCommit = SLIM_GIT_COMMIT;
    record.tags = tags;
    return db.createRun(record);
}

fs::path runDirectory(const CliPaths &paths, store::RunStore &db, std::int64_t runId)
{
    return paths.runs / db.getRun(runId)->uuid;
}

RunOutcome executeExperiment(const GlobalOptions &g, const CliPaths &paths, store::RunStore &db,
                             std::int64_t runId, const RunSpec &spec,
                             std::optional<fs::path> resume, std::stop_token stop)
{
    store::RunRecorder recorder(db, runId);
    ProgressPrinter printer(g.quiet);
    ObserverFanout observers({&recorder, &printer});
    recorder.started();
    ExperimentContext context;
    context.spec = spec;
    context.run_dir = runDirectory(paths, db, runId);
    context.builtin_model_dir = paths.builtin_model;
    context.score_cache = &recorder;
    context.resume_checkpoint = std::move(resume);
    context.device = g.device;
    auto outcome = runExperiment(context, observers, stop);
    printer.finishLine();
    recorder.finished(outcome);
    reportOutcome(outcome, runId);
    return outcome;
}

RunOutcome buildBaseModel(const GlobalOptions &g, const CliPaths &paths, store::RunStore &db,
                          const fs::path &out, int64_t steps, std::stop_token stop)
{
    auto plan = PretrainPlan::builtin();
    if (steps > 0)
        plan.schedule.steps = steps;
    const auto runId = createRunRecord(db, "pretrain " + out.filename().string(), "pretrain",
                                       plan.toJson(), plan.seed, {"pretrain"});
    store::RunRecorder recorder(db, runId);
    ProgressPrinter printer(g.quiet);
    ObserverFanout observers({&recorder, &printer});
    recorder.started();
    printer.log("building the base model (" + std::to_string(plan.schedule.steps)
                + " steps; it is built once and reused)");
    auto outcome = runPretraining(plan, out, runDirectory(paths, db, runId),
                                  data::DataLocator::fromEnvironment(), observers, stop, {},
                                  g.device);
    printer.finishLine();
    recorder.finished(outcome);
    reportOutcome(outcome, runId);
    return outcome;
}

} // namespace

int cmdPretrain(const GlobalOptions &g, const PretrainArgs &a)
{
    auto paths = resolvePaths(g.database);
    const fs::path out = a.out.empty() ? paths.builtin_model : fs::path(a.out);
    if (isCompleteModel(out) && !a.force) {
        std::cout << "base model already built: " << out.string() << " (--force rebuilds it)\n";
        return 0;
    }
    store::RunStore db(paths.database.string());
    return exitCode(buildBaseModel(g, paths, db, out, a.steps, installInterruptHandler()));
}

int cmdTrain(const GlobalOptions &g, const TrainArgs &a)
{
    auto spec = loadSpec(a.spec);
    if (!a.name.empty())
        spec.name = a.name;
    if (a.steps > 0)
        spec.schedule.steps = a.steps;
    auto paths = resolvePaths(g.database);
    store::RunStore db(paths.database.string());
    const auto runId = createRunRecord(db, spec.name, methodName(spec.adapter.method),
                                       spec.toJson(), int64_t(spec.seed), a.tags);
    std::cerr << "run " << runId << " (" << spec.name << ") recorded in "
              << paths.database.string() << "\n";
    return exitCode(executeExperiment(g, paths, db, runId, spec, std::nullopt,
                                      installInterruptHandler()));
}

int cmdResume(const GlobalOptions &g, const std::string &runArg)
{
    auto paths = resolvePaths(g.database);
    store::RunStore db(paths.database.string());
    db.markInterruptedRuns();
    const auto runId = resolveRunId(db, runArg);
    auto record = db.getRun(runId);
    if (record->method == "pretrain")
        throw std::invalid_argument("run " + runArg + " is a pretraining run: run `slimctl "
                                                      "pretrain` again to rebuild the model");
    if (record->status == store::RunStatus::Succeeded)
        throw std::invalid_argument("run " + runArg + " has already finished");
    if (record->status == store::RunStatus::Running)
        throw std::invalid_argument("run " + runArg + " is running in process "
                                    + std::to_string(record->pid.value_or(0)));
    auto checkpoint = db.latestCheckpoint(runId);
    auto spec = runSpecFromJson(nlohmann::json::parse(record->specJson));
    std::optional<fs::path> from;
    if (checkpoint)
        from = checkpoint->path;
    std::cerr << "resuming run " << runId << (from ? " from " + from->string() : " from the start")
              << "\n";
    return exitCode(
        executeExperiment(g, paths, db, runId, spec, from, installInterruptHandler()));
}

int cmdDemo(const GlobalOptions &g, const DemoArgs &a)
{
    const auto started = std::chrono::steady_clock::now();
    auto paths = resolvePaths(g.database);
    store::RunStore db(paths.database.string());
    auto stop = installInterruptHandler();
    if (!isCompleteModel(paths.builtin_model)) {
        auto outcome = buildBaseModel(g, paths, db, paths.builtin_model, a.pretrainSteps, stop);
        if (outcome.status != RunStatus::Succeeded)
            return exitCode(outcome);
    } else {
        std::cerr << "reusing the base model in " << paths.builtin_model.string() << "\n";
    }
    std::vector<std::string> methods = a.methods;
    if (methods.empty()) {
        for (auto m : allMethods())
            methods.push_back(methodName(m));
    }
    std::vector<std::int64_t> runIds;
    for (const auto &method : methods) {
        auto spec = preset("builtin-" + method);
        spec.name = "demo " + method;
        if (a.steps > 0)
            spec.schedule.steps = a.steps;
        const auto runId = createRunRecord(db, spec.name, method, spec.toJson(),
                                           int64_t(spec.seed), {"demo"});
        std::cerr << "\n== " << spec.name << " (run " << runId << ") ==\n";
        auto outcome = executeExperiment(g, paths, db, runId, spec, std::nullopt, stop);
        if (outcome.status == RunStatus::Cancelled)
            return exitCode(outcome);
        if (outcome.status == RunStatus::Succeeded)
            runIds.push_back(runId);
    }
    const double minutes = std::chrono::duration<double>(std::chrono::steady_clock::now()
                                                         - started).count() / 60.0;
    printComparison(db, runIds, g.json, std::cout);
    std::cerr << "demo finished in " << minutes << " min\n";
    return runIds.size() == methods.size() ? 0 : 1;
}

} // namespace slim::cli
