// slimctl pretrain / train / resume / demo / benchmark: every run is queued and executed through
// slim_jobs, exactly as the window's jobs are.
#include "cli_context.h"
#include "command_args.h"
#include "progress_printer.h"
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

int exitCode(const RunOutcome &outcome)
{
    return outcome.status == RunStatus::Succeeded ? 0
           : outcome.status == RunStatus::Cancelled ? 130
                                                    : 1;
}

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

RunOutcome execute(const GlobalOptions &g, const WorkbenchPaths &paths, store::RunStore &db,
                   std::int64_t runId, bool resume, std::stop_token stop)
{
    ProgressPrinter printer(g.quiet);
    auto outcome = jobs::executeRun(db, paths, runId, stop, {&printer, g.device, resume});
    printer.finishLine();
    const char *word = outcome.status == RunStatus::Succeeded ? "succeeded"
                       : outcome.status == RunStatus::Cancelled ? "cancelled"
                                                                : "failed";
    std::cerr << "run " << runId << " " << word << ": " << outcome.message << "\n";
    if (outcome.status == RunStatus::Failed && !outcome.detail.empty() && !g.quiet)
        std::cerr << "  " << outcome.detail << "\n";
    return outcome;
}

RunOutcome buildBaseModel(const GlobalOptions &g, const WorkbenchPaths &paths,
                          store::RunStore &db, const fs::path &out, int64_t steps,
                          std::stop_token stop)
{
    const auto runId = jobs::queueBaseModelBuild(db, paths, steps, out.string());
    return execute(g, paths, db, runId, false, stop);
}

// True when the built-in model is ready to use. An explicit pretraining step count asks for a
// model built here, so the copy shipped in resources/ is installed only without one.
bool builtinModelAvailable(const WorkbenchPaths &paths, std::int64_t pretrainSteps)
{
    return pretrainSteps > 0 ? jobs::baseModelReady(paths.builtin_model)
                             : jobs::builtinModelReady(paths);
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
    const auto runId = jobs::queueRun(db, {specText, a.tags, std::nullopt});
    std::cerr << "run " << runId << " (" << db.getRun(runId)->name << ") recorded in "
              << paths.database.string() << "\n";
    return exitCode(execute(g, paths, db, runId, false, installInterruptHandler()));
}

int cmdImportAdapter(const GlobalOptions &g, const ImportAdapterArgs &a)
{
    const auto specText = jobs::normalisedSpecText(
        engine::importAdapterSpec(a.adapter, a.model, a.name));
    const auto paths = WorkbenchPaths::resolve(g.database);
    store::RunStore db(paths.database.string());
    auto tags = a.tags;
    tags.push_back("imported");
    const auto runId = jobs::queueRun(db, {specText, tags, std::nullopt});
    std::cerr << "run " << runId << " (" << db.getRun(runId)->name << ") evaluates " << a.adapter
              << " on " << a.model << "\n";
    return exitCode(execute(g, paths, db, runId, false, installInterruptHandler()));
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
    return exitCode(execute(g, paths, db, runId, true, installInterruptHandler()));
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
        auto outcome = execute(g, paths, db, runId, false, stop);
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
    const auto started = std::chrono::steady_clock::now();
    int executed = 0;
    bool allSucceeded = true;
    for (std::size_t i = 0; i < plan.size(); ++i) {
        const auto name = nameOf(plan[i]);
        const auto run = recordedIn(recorded, name);
        if (run && run->status == store::RunStatus::Succeeded) {
            std::cerr << "== " << name << " (run " << run->id << "): already finished\n";
            done.push_back(run->id);
            continue;
        }
        // An interrupted, failed or cancelled run continues from its last checkpoint; a run
        // recorded but never started starts.
        const bool resume = run && run->status != store::RunStatus::Queued;
        const auto runId = run ? run->id : jobs::queueRun(db, plan[i]);
        std::cerr << "\n== benchmark " << i + 1 << " of " << plan.size() << ": " << name
                  << " (run " << runId << (resume ? ", resumed" : "") << ")";
        if (executed > 0) {
            const double perRun = std::chrono::duration<double>(std::chrono::steady_clock::now()
                                                                - started).count()
                                  / executed;
            std::cerr << ", ETA " << int(perRun * double(plan.size() - i) / 60.0 + 0.5)
                      << " min";
        }
        std::cerr << " ==\n";
        const auto outcome = execute(g, paths, db, runId, resume, stop);
        ++executed;
        if (outcome.status == RunStatus::Cancelled) {
            std::cerr << "interrupted: run slimctl benchmark again to continue\n";
            printResultsTable(db, done, format, std::cout);
            return exitCode(outcome);
        }
        if (outcome.status == RunStatus::Succeeded)
            done.push_back(runId);
        else
            allSucceeded = false;
    }
    printResultsTable(db, done, format, std::cout);
    return allSucceeded ? 0 : 1;
}

} // namespace slim::cli
