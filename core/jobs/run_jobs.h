#pragma once
// The one way a run is queued and executed, whoever asks: slimctl on its main thread, the
// window's JobManager on a job thread. Queueing records the run (status queued); executing runs
// the engine on the calling thread and records every event through the RunRecorder, plus any
// extra observer (a progress printer, the GUI's live stream).
//
// This header is std-only (no torch, no Qt): the GUI's services include it. Specs travel as
// JSON text.

#include "jobs/workbench_paths.h"
#include "events/run_observer.h"
#include "store/run_store.h"

#include <optional>
#include <stop_token>
#include <string>
#include <vector>

namespace slim::jobs {

// --- specs (JSON text) ------------------------------------------------------------------------
std::string runSpecSchemaText(); // fields, method defaults, preset names (see run_spec.h)
std::vector<std::string> presetNames();
std::string presetSpecText(const std::string &name); // throws std::invalid_argument

struct SpecProblem
{
    std::string path;    // "schedule.lr", "" for the document itself
    std::string message; // "-1 is outside [0, 1]"
};
// Every problem of a spec document, including a JSON syntax error (path "", with its line).
std::vector<SpecProblem> validateSpecText(const std::string &specJson);
// The spec with every default filled in; throws std::invalid_argument listing the problems.
std::string normalisedSpecText(const std::string &specJson);

// --- queueing ---------------------------------------------------------------------------------
struct RunRequest
{
    std::string specJson;                  // validated here
    std::vector<std::string> tags;
    std::optional<std::int64_t> parentRunId; // duplicated or resumed from
    std::string uuid;                        // "" = a new random one (sweeps give stable ones)
    std::optional<std::int64_t> sweepId, sweepIndex; // a sweep's run (jobs/sweep_jobs.h)
};
// Records a fine-tuning run (status queued) and returns its id; throws std::invalid_argument
// naming every problem of the spec.
std::int64_t queueRun(store::RunStore &db, const RunRequest &request);
// Records the build of the built-in base model as a run (method "pretrain"): `steps` 0 = the
// plan's own; `outDir` "" = paths.builtin_model.
std::int64_t queueBaseModelBuild(store::RunStore &db, const WorkbenchPaths &paths,
                                 std::int64_t steps = 0, const std::string &outDir = {});

// True when `dir` holds a complete base model built by the workbench under the current recipe
// (engine::isCurrentBuiltinModel).
bool baseModelReady(const std::filesystem::path &dir);
// True when paths.builtin_model is ready. When it is not (missing, or built by an older recipe)
// and the copy shipped in <resources>/base-model is the current recipe's, that copy is installed
// there first (copied beside it, then renamed into place), so the demo starts without building.
bool builtinModelReady(const WorkbenchPaths &paths);
// True when the run's spec asks for the built-in base model.
bool needsBuiltinModel(const store::RunRecord &run);

// Throws std::invalid_argument saying why `runId` cannot be resumed (finished, running in
// another process, a pretraining run).
void checkResumable(store::RunStore &db, std::int64_t runId);

// Deletes a run that is not queued or running (those are cancelled first) with everything
// recorded for it, in one transaction: killed at any moment, the run is whole or gone. With
// `removeFiles` its folder (checkpoints, adapters) goes too, once its rows are gone. Throws
// std::invalid_argument naming the run. Callers mark dead processes' runs interrupted first.
void deleteRun(store::RunStore &db, const WorkbenchPaths &paths, std::int64_t runId,
               bool removeFiles);

// A queued run that will never start (its job was cancelled first) is recorded as cancelled
// with `message`; a run that is no longer queued is left as it is.
void cancelQueuedRun(store::RunStore &db, std::int64_t runId, const std::string &message);

// --- the demo ---------------------------------------------------------------------------------
// One run per method (every method when `methods` is empty), each its built-in preset
// ("builtin-<method>") named "demo <method>" and tagged "demo", with `steps` when > 0. The window
// and `slimctl demo` queue this plan. Throws std::invalid_argument for an unknown method.
std::vector<RunRequest> demoPlan(const std::vector<std::string> &methods = {},
                                 std::int64_t steps = 0);

// The benchmark: every method (or `methods`) and, with `ablations`, SLIM's four ablation presets
// ("slim-no-identity", ...), each with `seeds` seeds (1, 2, ...; recorded with the run), from
// their built-in presets; named "benchmark <preset suffix> seed <s>" and tagged "benchmark".
// `steps` > 0 overrides the presets' steps; a non-empty `baseModel` folder replaces the built-in
// base model. Throws std::invalid_argument for an unknown method or seeds < 1.
struct BenchmarkOptions
{
    std::vector<std::string> methods; // empty = every method
    std::int64_t seeds = 3;
    bool ablations = true;
    std::int64_t steps = 0;
    std::string baseModel;
};
std::vector<RunRequest> benchmarkPlan(const BenchmarkOptions &options);

// --- execution (blocking; on the calling thread) -----------------------------------------------
// LibTorch's intra-op threads (its default here is 1): OMP_NUM_THREADS when set (the user's
// choice, as every OpenMP program reads it), else SLURM_CPUS_PER_TASK in a Slurm task, else the
// CPUs this process may run on (its affinity: taskset, cgroup cpusets), not all of the machine's:
// more threads than cores makes OpenMP's spinning threads fight and a run many times slower.
int engineThreadCount();
// Sets engineThreadCount(). OpenMP keeps the setting per thread, so executeRun calls it on the
// job's thread too.
void configureEngineThreads();

struct ExecuteOptions
{
    engine::RunObserver *extra = nullptr; // also receives every event (not owned)
    std::string device;                   // "" = CUDA when available, else CPU
    bool resume = false;                  // continue from the run's latest checkpoint
};
// Runs a queued (or, with resume, an interrupted/cancelled/failed) run recorded in `db`: a
// fine-tuning run through runExperiment, a base-model build through runPretraining. Never
// throws; errors become a Failed outcome, a stop request a Cancelled one. The run's status is
// recorded before returning.
engine::RunOutcome executeRun(store::RunStore &db, const WorkbenchPaths &paths,
                              std::int64_t runId, std::stop_token stop,
                              const ExecuteOptions &options = {});

} // namespace slim::jobs
