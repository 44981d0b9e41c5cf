#pragma once
// Ctrl-C handling (where things are kept: jobs/workbench_paths.h).

#include <stop_token>
#include <string>

namespace slim::cli {

// The first SIGINT/SIGTERM requests a clean stop (the job saves a checkpoint and is marked
// cancelled); a second one exits at once with status 130.
std::stop_token installInterruptHandler();

} // namespace slim::cli
