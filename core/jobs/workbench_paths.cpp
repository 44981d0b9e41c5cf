#include "workbench_paths.h"

#include <cstdlib>

namespace slim::jobs {

namespace fs = std::filesystem;

WorkbenchPaths WorkbenchPaths::resolve(const std::string &databaseOverride)
{
    WorkbenchPaths p;
    if (const char *xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg)
        p.home = fs::path(xdg) / "slim-workbench";
    else if (const char *home = std::getenv("HOME"); home && *home)
        p.home = fs::path(home) / ".local/share/slim-workbench";
    else
        p.home = fs::current_path() / ".slim-workbench";
    p.database = databaseOverride.empty() ? p.home / "runs.sqlite"
                                          : fs::absolute(fs::path(databaseOverride));
    p.runs = p.database.parent_path() / "runs";
    p.builtin_model = p.home / "models" / "builtin-v1";
    if (const char *model = std::getenv("SLIM_BUILTIN_MODEL"); model && *model)
        p.builtin_model = model;
    fs::create_directories(p.database.parent_path());
    return p;
}

} // namespace slim::jobs
