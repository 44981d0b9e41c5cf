#pragma once
// The little the store needs to know about processes, to find runs whose process died.
// std + the operating system's C API. Callable from any thread.

#include <cstdint>
#include <string>

namespace slim::store {

std::int64_t currentProcessId();
std::string currentHostName();
// True when a process with this id exists on this host (including one we may not signal).
// A zombie counts as alive until its parent reaps it.
bool isProcessAlive(std::int64_t pid);

} // namespace slim::store
