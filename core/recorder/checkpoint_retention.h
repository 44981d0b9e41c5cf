#pragma once
// Which checkpoints of a run are kept: the last `keepLast` (0 = all), every pinned one and
// every one at an evaluated step; the others are removed (row first, then folder, so a crash in
// between leaves at worst an orphan folder, never a row pointing at nothing). The recorder
// applies it after each checkpoint; `slimctl prune` and the window's Prune apply it on request.

#include "store/run_store.h"

#include <cstdint>
#include <filesystem>
#include <vector>

namespace slim::store {

// The run spec's schedule.keep_checkpoints (3 when absent).
std::int64_t keepCheckpointsOf(const RunRecord &run);

// The checkpoints the policy would remove, oldest first.
std::vector<CheckpointRow> checkpointsToPrune(const std::vector<CheckpointRow> &checkpoints,
                                              const std::vector<std::int64_t> &evaluatedSteps,
                                              std::int64_t keepLast);

struct PruneResult
{
    std::vector<std::int64_t> removedSteps;
    std::int64_t bytesFreed = 0; // measured on disk before removal
};
PruneResult pruneCheckpoints(RunStore &store, std::int64_t runId, std::int64_t keepLast);

// Bytes of the files under `dir` (0 when it does not exist).
std::int64_t folderBytes(const std::filesystem::path &dir);

} // namespace slim::store
