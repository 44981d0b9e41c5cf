#include "plan_runner.h"

#include "progress_printer.h"

#include "jobs/run_jobs.h"

#include <chrono>
#include <iostream>

namespace slim::cli {

using engine::RunOutcome;
using engine::RunStatus;

int exitCode(const RunOutcome &outcome)
{
    return outcome.status == RunStatus::Succeeded ? 0
           : outcome.status == RunStatus::Cancelled ? 130
                                                    : 1;
}

RunOutcome executeRecordedRun(const GlobalOptions &g, const jobs::WorkbenchPaths &paths,
                              store::RunStore &db, std::int64_t runId, bool resume,
                              std::stop_token stop)
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

RunOutcome buildBaseModel(const GlobalOptions &g, const jobs::WorkbenchPaths &paths,
                          store::RunStore &db, const std::filesystem::path &out,
                          std::int64_t steps, std::stop_token stop)
{
    const auto runId = jobs::queueBaseModelBuild(db, paths, steps, out.string());
    return executeRecordedRun(g, paths, db, runId, false, stop);
}

bool builtinModelAvailable(const jobs::WorkbenchPaths &paths, std::int64_t pretrainSteps)
{
    return pretrainSteps > 0 ? jobs::baseModelReady(paths.builtin_model)
                             : jobs::builtinModelReady(paths);
}

PlanOutcome executePlan(const GlobalOptions &g, const jobs::WorkbenchPaths &paths,
                        store::RunStore &db, std::vector<PlannedRun> &plan,
                        const std::string &label, std::stop_token stop)
{
    PlanOutcome result;
    const auto started = std::chrono::steady_clock::now();
    int executed = 0;
    for (std::size_t i = 0; i < plan.size(); ++i) {
        auto &entry = plan[i];
        if (entry.done) {
            std::cerr << "== " << entry.name << " (run " << *entry.runId << "): already finished\n";
            result.succeeded.push_back(*entry.runId);
            continue;
        }
        if (!entry.busy.empty()) {
            std::cerr << "== " << entry.name << " (run " << *entry.runId << "): " << entry.busy
                      << "\n";
            result.allSucceeded = false;
            continue;
        }
        if (!entry.runId)
            entry.runId = entry.queue();
        std::cerr << "\n== " << label << " " << i + 1 << " of " << plan.size() << ": "
                  << entry.name << " (run " << *entry.runId << (entry.resume ? ", resumed" : "")
                  << ")";
        if (executed > 0) {
            const double perRun = std::chrono::duration<double>(std::chrono::steady_clock::now()
                                                                - started).count()
                                  / executed;
            std::cerr << ", ETA " << formatDuration(perRun * double(plan.size() - i));
        }
        std::cerr << " ==\n";
        const auto outcome = executeRecordedRun(g, paths, db, *entry.runId, entry.resume, stop);
        ++executed;
        if (outcome.status == RunStatus::Cancelled) {
            result.cancelled = true;
            result.allSucceeded = false;
            return result;
        }
        if (outcome.status == RunStatus::Succeeded)
            result.succeeded.push_back(*entry.runId);
        else
            result.allSucceeded = false;
    }
    return result;
}

} // namespace slim::cli
