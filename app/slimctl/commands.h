#pragma once

namespace slim::cli {

// Parses the command line, runs the command, returns the process exit status. Errors are
// printed to stderr as one clear message; nothing throws out of here.
int runSlimctl(int argc, char **argv);

} // namespace slim::cli
