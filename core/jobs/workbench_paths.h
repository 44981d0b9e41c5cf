#pragma once
// Where the workbench keeps its data: the same places for slimctl and the window, so both see
// the same runs and reuse the same base model.

#include <filesystem>
#include <string>

namespace slim::jobs {

struct WorkbenchPaths
{
    std::filesystem::path home;          // $XDG_DATA_HOME/slim-workbench (~/.local/share/...)
    std::filesystem::path database;      // home/runs.sqlite unless overridden
    std::filesystem::path runs;          // <database folder>/runs/<uuid>: checkpoints, artifacts
    std::filesystem::path builtin_model; // home/models/builtin-v1 ($SLIM_BUILTIN_MODEL wins)

    // Creates the database's folder. `databaseOverride` "" means home/runs.sqlite.
    static WorkbenchPaths resolve(const std::string &databaseOverride = {});
};

} // namespace slim::jobs
