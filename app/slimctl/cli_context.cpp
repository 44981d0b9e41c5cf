#include "cli_context.h"

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <thread>
#include <unistd.h>

namespace slim::cli {

namespace fs = std::filesystem;

namespace {
volatile std::sig_atomic_t g_interrupts = 0;

void onSignal(int)
{
    g_interrupts = g_interrupts + 1;
    if (g_interrupts > 1)
        _exit(130);
}
} // namespace

CliPaths resolvePaths(const std::string &databaseOverride)
{
    CliPaths p;
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

std::stop_token installInterruptHandler()
{
    static std::stop_source source;
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
    // request_stop is not async-signal-safe: a watcher thread forwards the flag.
    std::thread([] {
        while (g_interrupts == 0)
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        source.request_stop();
    }).detach();
    return source.get_token();
}

} // namespace slim::cli
