#pragma once
// A sweep's runs (sweeps/sweep_spec.h) as ordinary runs of the run store: recorded with the
// sweep's stable run ids, found again by them, and started or resumed by the one run path
// (run_jobs.h). slimctl runs a sweep here or in Slurm array tasks; the window queues it as jobs.
// Std-only header.

#include "jobs/run_jobs.h"
#include "sweeps/sweep_spec.h"

#include <optional>
#include <string>
#include <vector>

namespace slim::jobs {

// Records the sweep (once: the same spec is the same sweep) and returns its id.
std::int64_t recordSweep(store::RunStore &db, const sweeps::Sweep &sweep);

// The request that queues one run of a recorded sweep: its spec, stable uuid, sweep and index.
RunRequest sweepRunRequest(const sweeps::SweepRun &run, std::int64_t sweepId);

// What one run of a sweep needs next, from what the database holds for its uuid.
enum class SweepStep {
    Done,   // succeeded
    Start,  // not recorded yet (queue it), or queued and never started
    Resume, // interrupted, failed or cancelled: continue from its last checkpoint
    Busy,   // running in a live process
};
SweepStep nextSweepStep(const std::optional<store::RunRecord> &recorded);
std::string_view sweepStepName(SweepStep step); // "done", "start", "resume", "running"

struct PlannedSweepRun
{
    const sweeps::SweepRun *run = nullptr; // into the sweep passed to planSweep
    std::optional<store::RunRecord> recorded;
    SweepStep step = SweepStep::Start;
};
// Every run of the sweep with its next step. Call db.markInterruptedRuns() first so runs of
// dead processes read as interrupted.
std::vector<PlannedSweepRun> planSweep(store::RunStore &db, const sweeps::Sweep &sweep);

} // namespace slim::jobs
