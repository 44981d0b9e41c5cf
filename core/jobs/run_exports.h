#pragma once
// What a recorded run is exported from: its base model folder and one of its checkpoints
// (std-only; slimctl's export commands and the window share it).

#include "jobs/workbench_paths.h"
#include "pipeline/run_export.h"
#include "store/run_store.h"

#include <optional>

namespace slim::jobs {

// The folder of a run's checkpoints and artifacts.
std::filesystem::path runFolderOf(const store::RunRecord &run, const WorkbenchPaths &paths);

// The bytes a run occupies on disk: every file under its run folder, measured now.
std::int64_t runDiskBytes(const store::RunRecord &run, const WorkbenchPaths &paths);

// The base model folder of a fine-tuning run ("builtin" resolves to paths.builtin_model).
std::filesystem::path baseModelDirOf(const store::RunRecord &run, const WorkbenchPaths &paths);

// The run's checkpoint at `step` (nullopt: the latest) with its base model. Throws
// std::invalid_argument naming what is missing: no such run, a pretraining run, no checkpoint
// (at that step: the steps it has are listed), a checkpoint folder deleted from disk.
engine::ExportSource exportSourceOf(store::RunStore &db, const WorkbenchPaths &paths,
                                    std::int64_t runId, std::optional<std::int64_t> step);

} // namespace slim::jobs
