#pragma once
// Where slimctl keeps things, and Ctrl-C handling.

#include <filesystem>
#include <stop_token>
#include <string>

namespace slim::cli {

struct CliPaths
{
    std::filesystem::path home;          // $XDG_DATA_HOME/slim-workbench (~/.local/share/...)
    std::filesystem::path database;      // home/runs.sqlite unless --db
    std::filesystem::path runs;          // home/runs/<uuid>: checkpoints and artifacts
    std::filesystem::path builtin_model; // home/models/builtin-v1
};

CliPaths resolvePaths(const std::string &databaseOverride);

// The first SIGINT/SIGTERM requests a clean stop (the job saves a checkpoint and is marked
// cancelled); a second one exits at once with status 130.
std::stop_token installInterruptHandler();

} // namespace slim::cli
