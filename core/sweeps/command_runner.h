#pragma once
// Runs a program (sbatch, squeue, sacct, scontrol) and collects what it says. Std + POSIX.

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace slim::sweeps {

struct CommandResult
{
    int exitCode = -1; // -1 when it did not end on its own (killed at the timeout, or a signal)
    std::string out, err;
    bool ok() const { return exitCode == 0; }
};

// Runs argv[0] (looked up on the PATH) with the arguments, without a shell, with `environment`
// added to this process's. Throws std::runtime_error when it cannot be started ("sbatch: not
// found on the PATH"), never for what the program itself reports.
CommandResult runCommand(const std::vector<std::string> &argv,
                         std::chrono::seconds timeout = std::chrono::seconds(60),
                         const std::map<std::string, std::string> &environment = {});

} // namespace slim::sweeps
