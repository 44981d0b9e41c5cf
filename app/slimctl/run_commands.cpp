// slimctl pretrain / train / resume / demo / benchmark: every run is queued and executed through
// slim_jobs, exactly as the window's jobs are.
#include "cli_context.h"
#include "command_args.h"
#include "plan_runner.h"
#include "run_table.h"

#include "adapters/adapter_config.h"
#include "jobs/run_jobs.h"
#include "pipeline/run_export.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>

namespace slim::cli {

namespace fs = std::filesystem;
using engine::RunOutcome;
using engine::RunStatus;
using jobs::WorkbenchPaths;

namespace {

// A preset name, or a spec file; the result is validated JSON text with `name`/`steps` applied.
std::string loadSpecText(const std::string &specArg, const std::string &name, int64_t steps,
                         const std::string &baseModel = {})
{
    nlohmann::json json;
    if (!fs::exists(specArg)) {
        json = nlohmann::json::parse(jobs::presetSpecText(specArg));
    } else {
        std::ifstream in(specArg);
        try {
            json = nlohmann::json::parse(in);
        } catch (const nlohmann::json::exception &e) {
            throw std::invalid_argument(specArg + ": not valid JSON (" + e.what() + ")");
        }
    }
    if (!name.empty())
        json["name"] = name;
    if (steps > 0)
        json["schedule"]["steps"] = steps;
    if (!baseModel.empty())
        json["base_model"] = fs::absolute(baseModel).lexically_normal().string();
    try {
        return jobs::normalisedSpecText(json.dump());
    } catch (const std::invalid_argument &e) {
        throw std::invalid_argument(specArg + ":\n" + e.what());
    }
}

} // namespace

int cmdPretrain(const GlobalOptions &g, const PretrainArgs &a)
{
    const auto paths = WorkbenchPaths::resolve(g.database);
    const fs::path out = a.out.empty() ? paths.builtin_model : fs::path(a.out);
    if (!a.force && jobs::baseModelReady(out)) {
        std::cout << "base model already built: " << out.string() << " (--force rebuilds it)\n";
        return 0;
    }
    store::RunStore db(paths.database.string());
    return exitCode(buildBaseModel(g, paths, db, out, a.steps, installInterruptHandler()));
}

int cmdTrain(const GlobalOptions &g, const TrainArgs &a)
{
    const auto specText = loadSpecText(a.spec, a.name, a.steps, a.model);
    const auto paths = WorkbenchPaths::resolve(g.database);
    store::RunStore db(paths.database.string());
    const auto runId = jobs::queueRun(db, {.specJson = specText, .tags = a.tags});
    std::cerr << "run " << runId << " (" << db.getRun(runId)->name << ") recorded in "
              << paths.database.string() << "\n";
    return exitCode(executeRecordedRun(g, paths, db, runId, false, installInterruptHandler()));
}

int cmdImportAdapter(const GlobalOptions &g, const ImportAdapterArgs &a)
{
    const auto specText = jobs::normalisedSpecText(
        engine::importAdapterSpec(a.adapter, a.model, a.name));
    const auto paths = WorkbenchPaths::resolve(g.database);
    store::RunStore db(paths.database.string());
    auto tags = a.tags;
    tags.push_back("imported");
    const auto runId = jobs::queueRun(db, {.specJson = specText, .tags = tags});
    std::cerr << "run " << runId << " (" << db.getRun(runId)->name << ") evaluates " << a.adapter
              << " on " << a.model << "\n";
    return exitCode(executeRecordedRun(g, paths, db, runId, false, installInterruptHandler()));
}

int cmdResume(const GlobalOptions &g, const std::string &runArg)
{
    const auto paths = WorkbenchPaths::resolve(g.database);
    store::RunStore db(paths.database.string());
    db.markInterruptedRuns();
    const auto runId = resolveRunId(db, runArg);
    jobs::checkResumable(db, runId);
    const auto checkpoint = db.latestCheckpoint(runId);
    std::cerr << "resuming run " << runId
              << (checkpoint ? " from " + checkpoint->path : std::string(" from the start"))
              << "\n";
    return exitCode(executeRecordedRun(g, paths, db, runId, true, installInterruptHandler()));
}

int cmdDemo(const GlobalOptions &g, const DemoArgs &a)
{
    const auto started = std::chrono::steady_clock::now();
    const auto paths = WorkbenchPaths::resolve(g.database);
    store::RunStore db(paths.database.string());
    auto stop = installInterruptHandler();
    if (!builtinModelAvailable(paths, a.pretrainSteps)) {
        auto outcome = buildBaseModel(g, paths, db, paths.builtin_model, a.pretrainSteps, stop);
        if (outcome.status != RunStatus::Succeeded)
            return exitCode(outcome);
    } else {
        std::cerr << "using the base model in " << paths.builtin_model.string() << "\n";
    }
    const auto plan = jobs::demoPlan(a.methods, a.steps);
    std::vector<std::int64_t> runIds;
    for (const auto &request : plan) {
        const auto runId = jobs::queueRun(db, request);
        std::cerr << "\n== " << db.getRun(runId)->name << " (run " << runId << ") ==\n";
        auto outcome = executeRecordedRun(g, paths, db, runId, false, stop);
        if (outcome.status == RunStatus::Cancelled)
            return exitCode(outcome);
        if (outcome.status == RunStatus::Succeeded)
            runIds.push_back(runId);
    }
    const double minutes = std::chrono::duration<double>(std::chrono::steady_clock::now()
                                                         - started).count() / 60.0;
    printComparison(db, runIds, g.json, std::cout);
    std::cerr << "demo finished in " << minutes << " min\n";
    return runIds.size() == plan.size() ? 0 : 1;
}

namespace {

// The latest recorded benchmark run of each name, read once: each plan entry is looked up once,
// before the loop could add a run of its name.
std::map<std::string, store::RunSummary> recordedBenchmarkRuns(store::RunStore &db)
{
    store::RunFilter filter;
    filter.tag = "benchmark";
    std::map<std::string, store::RunSummary> byName;
    for (const auto &run : db.listRuns(filter)) // newest first: the first of a name is kept
        byName.emplace(run.name, run);
    return byName;
}

std::optional<store::RunSummary> recordedIn(const std::map<std::string, store::RunSummary> &runs,
                                            const std::string &name)
{
    const auto it = runs.find(name);
    return it == runs.end() ? std::nullopt : std::optional(it->second);
}

std::string nameOf(const jobs::RunRequest &request)
{
    return nlohmann::json::parse(request.specJson).value("name", std::string());
}

} // namespace

int cmdBenchmark(const GlobalOptions &g, const BenchmarkArgs &a)
{
    const auto paths = WorkbenchPaths::resolve(g.database);
    store::RunStore db(paths.database.string());
    db.markInterruptedRuns();
    const auto plan = jobs::benchmarkPlan({a.methods, a.seeds, !a.noAblations, a.steps, a.model});
    const auto format = *scores::tableFormatFromName(a.format);
    const auto recorded = recordedBenchmarkRuns(db);
    std::vector<std::int64_t> done;
    if (a.tableOnly) {
        for (const auto &request : plan) {
            const auto run = recordedIn(recorded, nameOf(request));
            if (run && run->status == store::RunStatus::Succeeded)
                done.push_back(run->id);
        }
        std::cerr << done.size() << " of " << plan.size() << " benchmark runs finished\n";
        printResultsTable(db, done, format, std::cout);
        return 0;
    }
    auto stop = installInterruptHandler();
    if (a.model.empty() && !builtinModelAvailable(paths, a.pretrainSteps)) {
        auto outcome = buildBaseModel(g, paths, db, paths.builtin_model, a.pretrainSteps, stop);
        if (outcome.status != RunStatus::Succeeded)
            return exitCode(outcome);
    }
    std::vector<PlannedRun> planned;
    for (const auto &request : plan) {
        PlannedRun entry;
        entry.name = nameOf(request);
        if (const auto run = recordedIn(recorded, entry.name)) {
            entry.runId = run->id;
            entry.done = run->status == store::RunStatus::Succeeded;
            // A run recorded but never started starts; an unfinished one continues.
            entry.resume = !entry.done && run->status != store::RunStatus::Queued;
        }
        entry.queue = [&db, request] { return jobs::queueRun(db, request); };
        planned.push_back(std::move(entry));
    }
    const auto outcome = executePlan(g, paths, db, planned, "benchmark", stop);
    if (outcome.cancelled)
        std::cerr << "interrupted: run slimctl benchmark again to continue\n";
    printResultsTable(db, outcome.succeeded, format, std::cout);
    return outcome.cancelled ? 130 : outcome.allSucceeded ? 0 : 1;
}

} // namespace slim::cli
