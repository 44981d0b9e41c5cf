#include "sweeps/slurm_array.h"

#include "common/file_writes.h"
#include "sweeps/command_runner.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <ctime>
#include <sstream>
#include <stdexcept>

namespace slim::sweeps {

namespace fs = std::filesystem;

namespace {

// Single-quoted for the shell.
std::string quoted(const std::string &text)
{
    std::string out = "'";
    for (const char c : text)
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

std::string utcNow()
{
    const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm {};
    gmtime_r(&now, &tm);
    char text[32];
    std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return text;
}

std::vector<std::string> lines(const std::string &text)
{
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        if (!line.empty())
            out.push_back(line);
    return out;
}

std::string firstWord(const std::string &text)
{
    return text.substr(0, text.find(' '));
}

// "12_3" -> 3; "12_[4-7%2]" -> 4..7; "12" (not an array task) -> nothing.
std::vector<std::size_t> indicesOf(const std::string &jobField)
{
    const auto underscore = jobField.find('_');
    if (underscore == std::string::npos)
        return {};
    auto rest = jobField.substr(underscore + 1);
    if (rest.starts_with("["))
        rest = rest.substr(1, rest.find(']') - 1);
    return arrayIndices(rest);
}

} // namespace

std::vector<std::size_t> arrayIndices(const std::string &spec)
{
    std::vector<std::size_t> out;
    std::istringstream parts(spec.substr(0, spec.find('%')));
    try {
        for (std::string part; std::getline(parts, part, ',');) {
            const auto dash = part.find('-');
            const auto from = std::stoull(part.substr(0, dash));
            const auto to = dash == std::string::npos ? from : std::stoull(part.substr(dash + 1));
            if (to < from || to - from > kMaxSweepRuns)
                return {};
            for (auto i = from; i <= to; ++i)
                out.push_back(i);
        }
    } catch (const std::exception &) {
        return {};
    }
    return out;
}

bool activeState(const std::string &state)
{
    for (const char *active : {"PENDING", "RUNNING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED",
                               "SUSPENDED", "CONFIGURING", "COMPLETING", "RESIZING", "SIGNALING",
                               "STAGE_OUT", "RESV_DEL_HOLD", "SPECIAL_EXIT"})
        if (state == active)
            return true;
    return false;
}

fs::path SweepFolder::taskDatabase(std::size_t index) const
{
    return tasks() / ("task-" + std::to_string(index) + ".sqlite");
}

std::string batchScript(const Sweep &sweep, const SweepFolder &folder,
                        const SlurmOptions &options, const std::string &slimctl)
{
    std::ostringstream s;
    s << "#!/bin/bash\n"
      << "# SLIM Workbench sweep \"" << sweep.name << "\" (" << sweep.uuid << "), "
      << sweep.runs.size() << " runs: array task i runs run i of sweep.json.\n"
      << "# Written by slimctl sweep submit; resubmit with slimctl sweep resubmit.\n"
      << "#SBATCH --job-name=" << quoted("slim-" + sweep.name) << "\n"
      << "#SBATCH --output=" << quoted((folder.logs() / "task-%a-job-%A.out").string()) << "\n"
      << "#SBATCH --ntasks=1\n"
      << "#SBATCH --requeue\n";
    if (!options.partition.empty())
        s << "#SBATCH --partition=" << options.partition << "\n";
    if (!options.account.empty())
        s << "#SBATCH --account=" << options.account << "\n";
    if (!options.time.empty())
        s << "#SBATCH --time=" << options.time << "\n";
    if (options.gpusPerTask > 0)
        s << "#SBATCH --gpus-per-task=" << options.gpusPerTask << "\n";
    if (options.cpusPerTask > 0)
        s << "#SBATCH --cpus-per-task=" << options.cpusPerTask << "\n";
    for (const auto &arg : options.sbatchArgs)
        s << "#SBATCH " << arg << "\n";
    s << "set -eu\n"
      << "task=\"${SLURM_ARRAY_TASK_ID:?not started as a Slurm array task}\"\n"
      << "exec " << quoted(slimctl) << " --quiet --db "
      << quoted(folder.tasks().string() + "/task-") << "\"$task\"'.sqlite' sweep task "
      << quoted(folder.specFile().string()) << " --index \"$task\"\n";
    return s.str();
}

void writeSweepFolder(const Sweep &sweep, const SweepFolder &folder, const SlurmOptions &options,
                      const std::string &slimctl)
{
    std::error_code error;
    for (const auto &dir : {folder.dir, folder.tasks(), folder.logs()}) {
        fs::create_directories(dir, error);
        if (error)
            throw std::runtime_error("cannot make the sweep folder " + dir.string() + ": "
                                     + error.message());
    }
    common::writeTextFile(folder.specFile(), sweep.toJson().dump(2) + "\n");
    common::writeTextFile(folder.script(), batchScript(sweep, folder, options, slimctl));
    fs::permissions(folder.script(), fs::perms::owner_exec | fs::perms::group_exec,
                    fs::perm_options::add, error);
}

std::string arraySpec(std::vector<std::size_t> indices, int maxParallel)
{
    std::sort(indices.begin(), indices.end());
    indices.erase(std::unique(indices.begin(), indices.end()), indices.end());
    std::string out;
    for (std::size_t i = 0; i < indices.size();) {
        std::size_t j = i;
        while (j + 1 < indices.size() && indices[j + 1] == indices[j] + 1)
            ++j;
        out += (out.empty() ? "" : ",") + std::to_string(indices[i]);
        if (j > i)
            out += "-" + std::to_string(indices[j]);
        i = j + 1;
    }
    if (maxParallel > 0)
        out += "%" + std::to_string(maxParallel);
    return out;
}

Submission submitArray(const SweepFolder &folder, const std::vector<std::size_t> &indices,
                       int maxParallel)
{
    if (indices.empty())
        throw std::invalid_argument("no tasks to submit");
    Submission submission;
    submission.tasks = arraySpec(indices, maxParallel);
    const auto result = runCommand({"sbatch", "--parsable", "--array=" + submission.tasks,
                                    folder.script().string()});
    if (!result.ok())
        throw std::runtime_error("sbatch refused the sweep's array: "
                                 + (result.err.empty() ? result.out : result.err));
    // --parsable prints "jobid" or "jobid;cluster".
    const auto text = lines(result.out);
    submission.jobId = text.empty() ? std::string() : text.back().substr(0, text.back().find(';'));
    if (submission.jobId.empty()
        || !std::all_of(submission.jobId.begin(), submission.jobId.end(),
                        [](unsigned char c) { return std::isdigit(c); }))
        throw std::runtime_error("sbatch answered without a job id: " + result.out);
    submission.submittedAt = utcNow();
    return submission;
}

std::map<std::size_t, TaskState> arrayTaskStates(const std::string &jobId,
                                                 std::vector<std::string> &problems)
{
    std::map<std::size_t, TaskState> states;
    // Accounting first (older tasks), then squeue, which knows the live state best.
    try {
        const auto sacct = runCommand({"sacct", "--noheader", "--parsable2", "--allocations",
                                       "--jobs", jobId, "--format", "JobID,State"});
        if (sacct.ok()) {
            for (const auto &line : lines(sacct.out)) {
                const auto bar = line.find('|');
                if (bar == std::string::npos)
                    continue;
                for (const auto index : indicesOf(line.substr(0, bar)))
                    states[index] = {firstWord(line.substr(bar + 1)), {}};
            }
        }
        // Without accounting (a small cluster) sacct refuses: squeue still knows recent tasks.
    } catch (const std::runtime_error &) {
    }
    try {
        const auto squeue = runCommand({"squeue", "--noheader", "--array", "--states=all",
                                        "--jobs", jobId, "--format=%i|%T|%r"});
        if (squeue.ok()) {
            for (const auto &line : lines(squeue.out)) {
                const auto first = line.find('|');
                const auto second = line.find('|', first + 1);
                if (first == std::string::npos || second == std::string::npos)
                    continue;
                const auto state = line.substr(first + 1, second - first - 1);
                auto reason = line.substr(second + 1);
                if (reason == "None")
                    reason.clear();
                for (const auto index : indicesOf(line.substr(0, first)))
                    states[index] = {state, state == "PENDING" ? reason : std::string()};
            }
        } else if (squeue.err.find("Invalid job id") == std::string::npos) {
            problems.push_back("squeue: " + squeue.err);
        }
    } catch (const std::runtime_error &e) {
        problems.push_back(e.what());
    }
    return states;
}

bool endedBadly(const std::string &state)
{
    for (const char *bad : {"FAILED", "PREEMPTED", "TIMEOUT", "CANCELLED", "NODE_FAIL",
                            "OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE", "REVOKED"})
        if (state == bad)
            return true;
    return false;
}

} // namespace slim::sweeps
