#pragma once
// Executing recorded runs from slimctl: one run with its progress line, or a plan of runs one
// after another (slimctl benchmark, slimctl sweep submit) where finished runs are skipped,
// unfinished ones resume from their last checkpoint and the rest are queued when their turn
// comes. Ctrl-C stops the whole plan; running the command again continues it.

#include "command_args.h"

#include "events/run_observer.h"
#include "jobs/workbench_paths.h"
#include "store/run_store.h"

#include <filesystem>
#include <functional>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

namespace slim::cli {

// Runs a recorded run (queued, or with `resume` an unfinished one) and prints its outcome.
engine::RunOutcome executeRecordedRun(const GlobalOptions &g, const jobs::WorkbenchPaths &paths,
                                      store::RunStore &db, std::int64_t runId, bool resume,
                                      std::stop_token stop);

// Records and runs the build of the built-in base model into `out`.
engine::RunOutcome buildBaseModel(const GlobalOptions &g, const jobs::WorkbenchPaths &paths,
                                  store::RunStore &db, const std::filesystem::path &out,
                                  std::int64_t steps, std::stop_token stop);
// True when the built-in model is ready to use. An explicit pretraining step count asks for a
// model built here, so the copy shipped in resources/ is installed only without one.
bool builtinModelAvailable(const jobs::WorkbenchPaths &paths, std::int64_t pretrainSteps);

// 0 succeeded, 130 cancelled, 1 otherwise.
int exitCode(const engine::RunOutcome &outcome);

struct PlannedRun
{
    std::string name;
    std::optional<std::int64_t> runId; // recorded already
    bool done = false;                 // succeeded: skipped
    bool resume = false;               // interrupted, failed or cancelled: continues
    std::string busy;                  // running in another process: skipped, saying this
    std::function<std::int64_t()> queue; // records the run when runId is empty
};

struct PlanOutcome
{
    std::vector<std::int64_t> succeeded; // done before or now, in plan order
    bool allSucceeded = true;
    bool cancelled = false;
};

// `label` names the plan in its lines ("benchmark", "sweep rank-lr").
PlanOutcome executePlan(const GlobalOptions &g, const jobs::WorkbenchPaths &paths,
                        store::RunStore &db, std::vector<PlannedRun> &plan,
                        const std::string &label, std::stop_token stop);

} // namespace slim::cli
