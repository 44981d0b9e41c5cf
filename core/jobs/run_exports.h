#pragma once
// What a recorded run is exported from: its base model folder and one of its checkpoints
// (std-only; slimctl's export commands and the window share it).

#include "jobs/workbench_paths.h"
#include "pipeline/run_export.h"
#include "store/run_store.h"

#include <optional>
#include <vector>

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

// The routing a mixture run (SLIM, MixLoRA, LoRAMoE, MoLA) is merged at
// (engine::exportMerged): "mean" (or "") = the mean routing weights each router recorded on the
// run's downstream evaluation at the latest step up to `step` (falling back to training); or
// weights "w1,w2,..." (one per expert; SLIM: LoRA experts, then identity experts) for every
// router. Throws std::invalid_argument naming what is missing or malformed.
engine::MergeRouting mergeRoutingOf(store::RunStore &db, std::int64_t runId, std::int64_t step,
                                    const std::string &choice);

// The spec (JSON text) of a run that evaluates the adapter in `adapterDir` on `baseModelDir`
// (engine::importAdapterSpec); throws naming the file and field when they do not fit.
std::string importAdapterSpecText(const std::string &adapterDir, const std::string &baseModelDir,
                                  const std::string &name = {});

// The base model an adapter folder names (PEFT's base_model_name_or_path, or the workbench
// format's base_model), when that is a model folder on this machine; "" otherwise.
std::string localBaseModelOf(const std::string &adapterDir);

} // namespace slim::jobs
