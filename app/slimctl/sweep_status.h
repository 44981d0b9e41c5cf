#pragma once
// What slimctl knows of a sweep's runs: each run's state in Slurm (its latest submission), in
// its task database and in this database; printed by sweep status and after a local sweep.

#include "store/run_store.h"
#include "sweeps/slurm_array.h"

#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace slim::cli {

struct SweepRunState
{
    std::size_t index = 0;
    std::string uuid, name;
    std::string slurmJob, slurmState, slurmReason; // "" when never submitted or forgotten
    std::optional<store::RunStatus> taskStatus;   // in its task database (Slurm sweeps)
    std::int64_t taskStep = 0, taskTotal = 0;
    std::optional<store::RunSummary> here;        // in this database
    bool succeeded() const;
    bool activeInSlurm() const { return sweeps::activeState(slurmState); }
};

struct SweepState
{
    store::SweepRecord record;
    std::optional<sweeps::SweepFolder> folder; // Slurm sweeps
    std::vector<SweepRunState> runs;           // by index
    std::vector<std::string> problems;         // what could not be read (squeue, a task file)
};

// A sweep by id, uuid prefix or name; throws std::invalid_argument when none or several match.
store::SweepRecord resolveSweep(store::RunStore &db, const std::string &reference);

// `folder` overrides the one of the sweep's latest Slurm submission.
SweepState collectSweepState(store::RunStore &db, std::int64_t sweepId,
                             std::optional<sweeps::SweepFolder> folder = std::nullopt);
void printSweepState(const SweepState &state, bool json, std::ostream &out);

} // namespace slim::cli
