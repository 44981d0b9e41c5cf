#pragma once
// A sweep as one Slurm job array: the sweep's folder (its spec, the batch script, one database
// per task, logs), submitting (sbatch), and the tasks' states (squeue, sacct). Task i runs
// `slimctl --db <folder>/tasks/task-i.sqlite sweep task <folder>/sweep.json --index i`: run i of
// the sweep, in a database of its own, never the user's main one (SQLite picks a rollback
// journal there when the folder is on a network file system, store/database.h). Std only.

#include "sweeps/sweep_spec.h"

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace slim::sweeps {

struct SlurmOptions
{
    std::string partition;   // "" = the cluster's default
    std::string time;        // --time, e.g. "2:00:00"; "" = the partition's default
    std::string account;     // "" = the user's default
    int gpusPerTask = 0;     // 0 = none
    int cpusPerTask = 0;     // 0 = Slurm's default
    int maxParallel = 0;     // at most this many tasks at once (%M); 0 = no limit
    std::vector<std::string> sbatchArgs; // passed to sbatch as they are
};

// Where a sweep's Slurm files live.
struct SweepFolder
{
    std::filesystem::path dir;
    std::filesystem::path specFile() const { return dir / "sweep.json"; }
    std::filesystem::path script() const { return dir / "slurm-array.sh"; }
    std::filesystem::path tasks() const { return dir / "tasks"; }
    std::filesystem::path taskDatabase(std::size_t index) const;
    std::filesystem::path logs() const { return dir / "logs"; }
};

// The batch script of the sweep's array: #SBATCH lines from `options`, requeued when preempted,
// each task running `slimctl` (an absolute path reachable from the compute nodes).
std::string batchScript(const Sweep &sweep, const SweepFolder &folder,
                        const SlurmOptions &options, const std::string &slimctl);

// Writes sweep.json and the batch script, and makes tasks/ and logs/. Throws naming the file.
void writeSweepFolder(const Sweep &sweep, const SweepFolder &folder, const SlurmOptions &options,
                      const std::string &slimctl);

// "0-7%4", "1,3-5": the --array value of these indices (sorted), limited to `maxParallel`.
std::string arraySpec(std::vector<std::size_t> indices, int maxParallel);

// The indices of an --array value ("0-7%4" -> 0..7, "1,3-5" -> 1, 3, 4, 5); empty when it does
// not parse.
std::vector<std::size_t> arrayIndices(const std::string &spec);

// True while Slurm will still run the task by itself (pending, running, requeued, ...).
bool activeState(const std::string &state);

struct Submission
{
    std::string jobId;       // the array's job id
    std::string tasks;       // its --array value
    std::string submittedAt; // ISO-8601 UTC
};

// sbatch --parsable --array=<indices> <script>; throws std::runtime_error with sbatch's own
// message when it refuses (or is not installed).
Submission submitArray(const SweepFolder &folder, const std::vector<std::size_t> &indices,
                       int maxParallel);

struct TaskState
{
    std::string state;  // Slurm's: PENDING, RUNNING, COMPLETED, FAILED, PREEMPTED, TIMEOUT, ...
    std::string reason; // why pending ("Resources", "JobArrayTaskLimit"), "" otherwise
};

// The states Slurm knows of the array's tasks, by index: squeue (live, and recently ended ones),
// then sacct for older ones where accounting is enabled. Tasks Slurm has forgotten are absent.
// `problems` receives what could not be asked (a command missing or refusing).
std::map<std::size_t, TaskState> arrayTaskStates(const std::string &jobId,
                                                 std::vector<std::string> &problems);

// True for states after which a task will not run again by itself (it can be resubmitted).
bool endedBadly(const std::string &state);

} // namespace slim::sweeps
