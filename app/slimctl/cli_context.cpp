#include "cli_context.h"

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <thread>
#include <unistd.h>

namespace slim::cli {

namespace {
volatile std::sig_atomic_t g_interrupts = 0;

void onSignal(int)
{
    g_interrupts = g_interrupts + 1;
    if (g_interrupts > 1)
        _exit(130);
}
} // namespace

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
