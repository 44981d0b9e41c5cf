#pragma once
// Internal to slim_store: pieces shared by the run_store*.cpp files.

#include "store/store_error.h"

#include <cstdint>
#include <string>

namespace slim::store::detail {

// SQL expression for "now" in the store's timestamp format (see docs/store.md).
inline constexpr const char *kNowSql = "strftime('%Y-%m-%dT%H:%M:%fZ','now')";

[[noreturn]] inline void throwNoRun(std::int64_t runId, const char *operation)
{
    throw StoreError(std::string(operation) + ": no run with id " + std::to_string(runId));
}

} // namespace slim::store::detail
