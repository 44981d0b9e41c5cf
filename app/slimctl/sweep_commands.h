#pragma once
// slimctl sweep submit / status / list / resubmit / task, and slimctl import: a sweep
// (sweeps/sweep_spec.h) run here one run after another, or on Slurm as one job array whose task
// databases are merged back with `slimctl import`.

#include "command_args.h"

#include "sweeps/slurm_array.h"

#include <cstddef>
#include <string>
#include <vector>

namespace slim::cli {

struct SweepSubmitArgs
{
    std::string spec;          // the sweep file
    bool slurm = false;        // submit a job array instead of running here
    std::string dir;           // the sweep's folder ("" = <database folder>/sweeps/<name>-<id>)
    sweeps::SlurmOptions slurmOptions;
    bool dryRun = false;       // write the folder and print the script, submit nothing
};

struct SweepRefArgs
{
    std::string sweep;                 // id, uuid prefix or name
    std::vector<std::size_t> tasks;    // resubmit: these tasks ("" = every one that ended badly)
};

struct SweepTaskArgs
{
    std::string spec;      // <sweep folder>/sweep.json
    std::size_t index = 0; // SLURM_ARRAY_TASK_ID
};

// Runs the sweep here (runs recorded up front, then one after another; finished ones skipped,
// unfinished ones resumed; Ctrl-C stops the whole sweep), or with --slurm submits its array.
int cmdSweepSubmit(const GlobalOptions &g, const SweepSubmitArgs &a);
// Each run's state: Slurm's (squeue, sacct), its task database's and the main database's.
int cmdSweepStatus(const GlobalOptions &g, const SweepRefArgs &a);
int cmdSweepList(const GlobalOptions &g);
// Submits again the tasks that ended badly (failed, preempted, timed out, cancelled) or whose
// run did not finish; each resumes from its last checkpoint.
int cmdSweepResubmit(const GlobalOptions &g, const SweepRefArgs &a);
// One array task: run `index` of the sweep in the database of --db (started, resumed or left
// alone when it has succeeded).
int cmdSweepTask(const GlobalOptions &g, const SweepTaskArgs &a);
// Merges finished runs of other workbench databases into this one (store/run_import.h).
int cmdImport(const GlobalOptions &g, const std::vector<std::string> &files);

} // namespace slim::cli
