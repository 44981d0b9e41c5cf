// slimctl sweep submit / resubmit / task and slimctl import (status and list: sweep_status.cpp).
#include "sweep_commands.h"

#include "cli_context.h"
#include "plan_runner.h"
#include "progress_printer.h"
#include "sweep_status.h"

#include "jobs/sweep_jobs.h"
#include "store/run_import.h"

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <chrono>
#include <iostream>

namespace slim::cli {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string runningProgram()
{
    std::error_code error;
    const auto self = fs::read_symlink("/proc/self/exe", error);
    if (error)
        throw std::runtime_error("cannot find this program's own path for the batch script: "
                                 + error.message());
    return self.string();
}

// A folder name from the sweep's name: letters, digits, '-', '_' and '.', plus its id.
std::string folderName(const sweeps::Sweep &sweep)
{
    std::string name;
    for (const char c : sweep.name)
        name += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'
                    ? c
                    : '-';
    return name.substr(0, 60) + "-" + sweep.uuid.substr(0, 8);
}

json optionsJson(const sweeps::SlurmOptions &o)
{
    return {{"partition", o.partition}, {"time", o.time},       {"account", o.account},
            {"gpus_per_task", o.gpusPerTask}, {"cpus_per_task", o.cpusPerTask},
            {"max_parallel", o.maxParallel}, {"sbatch_args", o.sbatchArgs}};
}

bool usesBuiltinModel(const sweeps::Sweep &sweep)
{
    return std::any_of(sweep.runs.begin(), sweep.runs.end(), [](const auto &run) {
        return run.spec.value("base_model", std::string()) == "builtin";
    });
}

// The tasks to submit: runs not succeeded here or in their task database, and not pending or
// running in Slurm (submitting those again would run them twice).
std::vector<std::size_t> tasksToSubmit(const SweepState &state)
{
    std::vector<std::size_t> indices;
    for (const auto &run : state.runs)
        if (!run.succeeded() && !run.activeInSlurm())
            indices.push_back(run.index);
    return indices;
}

int submitToSlurm(store::RunStore &db, std::int64_t sweepId, const sweeps::Sweep &sweep,
                  const sweeps::SweepFolder &folder, const sweeps::SlurmOptions &options,
                  std::vector<std::size_t> indices, bool dryRun)
{
    if (indices.empty()) {
        std::cerr << "sweep " << sweep.name << ": nothing to submit (every run has succeeded, "
                  << "or is pending or running in Slurm)\n";
        return 0;
    }
    const auto tasks = sweeps::arraySpec(indices, options.maxParallel);
    if (dryRun) {
        std::cout << sweeps::batchScript(sweep, folder, options, runningProgram());
        std::cerr << "dry run: would submit sbatch --array=" << tasks << " "
                  << folder.script().string() << "\n";
        return 0;
    }
    const auto submission = sweeps::submitArray(folder, indices, options.maxParallel);
    auto record = db.getSweep(sweepId);
    auto submissions = json::parse(record->slurmJson);
    submissions.push_back({{"job_id", submission.jobId},
                           {"tasks", submission.tasks},
                           {"submitted_at", submission.submittedAt},
                           {"dir", folder.dir.string()},
                           {"options", optionsJson(options)}});
    db.setSlurmJson(sweepId, submissions.dump());
    std::cout << "sweep " << sweep.name << " (" << sweep.uuid.substr(0, 8) << "): submitted "
              << indices.size() << " of " << sweep.runs.size() << " runs as Slurm job "
              << submission.jobId << " (--array=" << submission.tasks << ")\n"
              << "  follow it:   slimctl sweep status " << sweep.uuid.substr(0, 8) << "\n"
              << "  merge runs:  slimctl import " << folder.tasks().string() << "/task-*.sqlite\n";
    return 0;
}

int runSweepHere(const GlobalOptions &g, const jobs::WorkbenchPaths &paths, store::RunStore &db,
                 std::int64_t sweepId, const sweeps::Sweep &sweep, const std::string &specArg)
{
    const auto plan = jobs::planSweep(db, sweep);
    std::vector<PlannedRun> planned;
    // Every run is recorded up front, so the listing shows the whole sweep from the start.
    for (const auto &entry : plan) {
        PlannedRun run;
        run.name = entry.run->name;
        if (!entry.recorded) {
            run.runId = jobs::queueRun(db, jobs::sweepRunRequest(*entry.run, sweepId));
        } else {
            run.runId = entry.recorded->id;
            run.done = entry.step == jobs::SweepStep::Done;
            run.resume = entry.step == jobs::SweepStep::Resume;
            if (entry.step == jobs::SweepStep::Busy)
                run.busy = "running in another process (pid "
                           + std::to_string(entry.recorded->pid.value_or(0)) + " on "
                           + entry.recorded->host + ")";
        }
        planned.push_back(std::move(run));
    }
    std::cerr << "sweep " << sweep.name << " (" << sweep.uuid.substr(0, 8) << "): "
              << sweep.runs.size() << " runs in " << paths.database.string() << "\n";
    auto stop = installInterruptHandler();
    if (usesBuiltinModel(sweep) && !builtinModelAvailable(paths, 0)) {
        const auto outcome = buildBaseModel(g, paths, db, paths.builtin_model, 0, stop);
        if (outcome.status != engine::RunStatus::Succeeded)
            return exitCode(outcome);
    }
    const auto outcome = executePlan(g, paths, db, planned, "sweep " + sweep.name, stop);
    if (outcome.cancelled) {
        for (const auto &run : planned)
            jobs::cancelQueuedRun(db, *run.runId, "The sweep was cancelled before this run started.");
        std::cerr << "sweep cancelled: run slimctl sweep submit " << specArg
                  << " again to continue it\n";
    }
    printSweepState(collectSweepState(db, sweepId), g.json, std::cout);
    return outcome.cancelled ? 130 : outcome.allSucceeded ? 0 : 1;
}

} // namespace

int cmdSweepSubmit(const GlobalOptions &g, const SweepSubmitArgs &a)
{
    const auto sweep = sweeps::loadSweepFile(a.spec);
    const auto paths = jobs::WorkbenchPaths::resolve(g.database);
    store::RunStore db(paths.database.string());
    db.markInterruptedRuns();
    const auto sweepId = jobs::recordSweep(db, sweep);
    if (!a.slurm)
        return runSweepHere(g, paths, db, sweepId, sweep, a.spec);
    // The tasks read the built-in model where this user's data lives (exported to them): have
    // it there before any task starts, rather than every task installing it at once.
    if (usesBuiltinModel(sweep) && !builtinModelAvailable(paths, 0))
        throw std::invalid_argument("the sweep trains the built-in model, which is not built in "
                                    + paths.builtin_model.string()
                                    + " yet: run slimctl pretrain first");
    const sweeps::SweepFolder folder {
        a.dir.empty() ? paths.database.parent_path() / "sweeps" / folderName(sweep)
                      : fs::absolute(a.dir)};
    sweeps::writeSweepFolder(sweep, folder, a.slurmOptions, runningProgram());
    const auto state = collectSweepState(db, sweepId, folder);
    return submitToSlurm(db, sweepId, sweep, folder, a.slurmOptions, tasksToSubmit(state),
                         a.dryRun);
}

int cmdSweepResubmit(const GlobalOptions &g, const SweepRefArgs &a)
{
    const auto paths = jobs::WorkbenchPaths::resolve(g.database);
    store::RunStore db(paths.database.string());
    const auto record = resolveSweep(db, a.sweep);
    const auto submissions = json::parse(record.slurmJson);
    if (submissions.empty())
        throw std::invalid_argument("sweep " + record.name
                                    + " was never submitted to Slurm (slimctl sweep submit "
                                      "SPEC --slurm)");
    const auto &last = submissions.back();
    const sweeps::SweepFolder folder {last.at("dir").get<std::string>()};
    const auto sweep = sweeps::sweepFromJson(json::parse(record.specJson));
    const auto state = collectSweepState(db, record.id, folder);
    auto indices = a.tasks;
    for (const auto index : indices) {
        if (index >= sweep.runs.size())
            throw std::invalid_argument("sweep " + record.name + " has no task "
                                        + std::to_string(index) + " (it has "
                                        + std::to_string(sweep.runs.size()) + " runs)");
        if (state.runs[index].activeInSlurm())
            throw std::invalid_argument("task " + std::to_string(index) + " is "
                                        + state.runs[index].slurmState + " in Slurm");
    }
    if (indices.empty())
        indices = tasksToSubmit(state);
    sweeps::SlurmOptions options;
    const auto &o = last.at("options");
    options.partition = o.value("partition", "");
    options.time = o.value("time", "");
    options.account = o.value("account", "");
    options.gpusPerTask = o.value("gpus_per_task", 0);
    options.cpusPerTask = o.value("cpus_per_task", 0);
    options.maxParallel = o.value("max_parallel", 0);
    options.sbatchArgs = o.value("sbatch_args", std::vector<std::string>());
    // The script is rewritten: this slimctl may live elsewhere than the first one.
    sweeps::writeSweepFolder(sweep, folder, options, runningProgram());
    return submitToSlurm(db, record.id, sweep, folder, options, indices, false);
}

int cmdSweepTask(const GlobalOptions &g, const SweepTaskArgs &a)
{
    const auto sweep = sweeps::loadSweepFile(a.spec);
    if (a.index >= sweep.runs.size())
        throw std::invalid_argument(a.spec + " has " + std::to_string(sweep.runs.size())
                                    + " runs; there is no task " + std::to_string(a.index));
    const auto &run = sweep.runs[a.index];
    const auto paths = jobs::WorkbenchPaths::resolve(g.database);
    store::RunStore db(paths.database.string());
    const auto sweepId = jobs::recordSweep(db, sweep);
    auto runId = db.findRunByUuid(run.uuid);
    // This task is the only one writing its database: a run left running there was this
    // task's earlier attempt (preempted, timed out, or its node failed).
    if (runId && db.getRun(*runId)->status == store::RunStatus::Running)
        db.setStatus(*runId, store::RunStatus::Interrupted,
                     "Its Slurm task ended before the run finished (preempted, timed out or "
                     "killed).");
    const auto step = jobs::nextSweepStep(runId ? db.getRun(*runId) : std::nullopt);
    const char *job = std::getenv("SLURM_JOB_ID");
    char host[256] = {};
    gethostname(host, sizeof(host) - 1);
    std::string from;
    if (step == jobs::SweepStep::Resume) {
        const auto checkpoint = db.latestCheckpoint(*runId);
        from = checkpoint ? " from its checkpoint at step " + std::to_string(checkpoint->step) + " ("
                                + checkpoint->path + ")"
                          : std::string(" from the start (no checkpoint yet)");
    }
    std::cerr << "sweep " << sweep.name << " task " << a.index << " (" << run.name << ")"
              << (job ? std::string(", Slurm job ") + job : std::string()) << " on " << host
              << ": " << jobs::sweepStepName(step) << from << "\n";
    if (step == jobs::SweepStep::Done)
        return 0;
    if (!runId)
        runId = jobs::queueRun(db, jobs::sweepRunRequest(run, sweepId));
    auto stop = installInterruptHandler();
    if (run.spec.value("base_model", std::string()) == "builtin"
        && !builtinModelAvailable(paths, 0)) {
        const auto outcome = buildBaseModel(g, paths, db, paths.builtin_model, 0, stop);
        if (outcome.status != engine::RunStatus::Succeeded)
            return exitCode(outcome);
    }
    return exitCode(executeRecordedRun(g, paths, db, *runId, step == jobs::SweepStep::Resume,
                                       stop));
}

int cmdImport(const GlobalOptions &g, const std::vector<std::string> &files)
{
    const auto paths = jobs::WorkbenchPaths::resolve(g.database);
    store::RunStore db(paths.database.string());
    auto stop = installInterruptHandler();
    int failures = 0;
    json reports = json::array();
    std::size_t totals[5] = {};
    for (const auto &file : files) {
        if (stop.stop_requested())
            break;
        ProgressPrinter printer(g.quiet);
        const auto started = std::chrono::steady_clock::now();
        const auto label = "import " + fs::path(file).filename().string();
        try {
            const auto report = store::importRuns(
                db, file,
                [&](std::size_t done, std::size_t total) {
                    const double seconds = std::chrono::duration<double>(
                                               std::chrono::steady_clock::now() - started)
                                               .count();
                    const double rate = seconds > 0 ? double(done) / seconds : 0;
                    printer.progress({label, std::int64_t(done), std::int64_t(total), rate,
                                      "runs/s",
                                      rate > 0 ? double(total - done) / rate : -1.0});
                },
                stop);
            printer.finishLine();
            json runs = json::array();
            for (const auto &run : report.runs) {
                ++totals[int(run.action)];
                runs.push_back({{"uuid", run.uuid}, {"name", run.name},
                                {"action", importActionName(run.action)},
                                {"run_id", run.targetId}, {"reason", run.reason}});
                if (!g.json && (run.action == store::ImportAction::Kept
                                || run.action == store::ImportAction::Skipped))
                    std::cerr << "  " << run.name << ": " << importActionName(run.action) << ", "
                              << run.reason << "\n";
            }
            reports.push_back({{"file", file}, {"runs", runs}, {"cancelled", report.cancelled}});
            if (!g.json)
                std::cout << file << ": " << report.count(store::ImportAction::Added)
                          << " added, " << report.count(store::ImportAction::Replaced)
                          << " replaced, " << report.count(store::ImportAction::Unchanged)
                          << " unchanged, " << report.count(store::ImportAction::Kept)
                          << " kept, " << report.count(store::ImportAction::Skipped)
                          << " skipped" << (report.cancelled ? " (cancelled)" : "") << "\n";
        } catch (const std::exception &e) {
            printer.finishLine();
            ++failures;
            reports.push_back({{"file", file}, {"error", e.what()}});
            std::cerr << "slimctl: error: " << e.what() << "\n";
        }
    }
    if (g.json)
        std::cout << reports.dump(2) << "\n";
    else if (files.size() > 1)
        std::cout << "imported " << files.size() - failures << " of " << files.size()
                  << " files: " << totals[0] << " runs added, " << totals[1] << " replaced, "
                  << totals[2] << " unchanged, " << totals[3] << " kept, " << totals[4]
                  << " skipped\n";
    return stop.stop_requested() ? 130 : failures ? 1 : 0;
}

} // namespace slim::cli
