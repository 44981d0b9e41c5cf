#pragma once
// Taking a trained run out of the workbench: its adapter as a PEFT adapter (LoRA, DoRA) or in
// the workbench's own format (every method: experts, routers, cluster state;
// docs/adapter-format.md), or the whole model with the adapter folded in, in the Hugging Face
// layout, shards and dtype of the base. std-only header: slimctl and the window call it alike.

#include "adapters/merge_routing.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace slim::engine {

struct ExportSource
{
    std::filesystem::path base_model_dir; // the base model folder the run trained on
    std::string base_model_name;          // recorded as base_model_name_or_path
    std::filesystem::path checkpoint_dir; // one of the run's checkpoint folders
    std::int64_t step = 0;                // the checkpoint's step
};

// format "peft" (LoRA and DoRA runs) or "slim" (every adapter method). Writes `out` whole or
// not at all (a side folder renamed at the end); refuses an existing non-empty `out`. Throws
// std::invalid_argument / ModelLoadError naming the problem.
void exportAdapter(const ExportSource &source, const std::string &format,
                   const std::filesystem::path &out);

// The base with the run's adapter folded in (W + s B A; DoRA (m / ||W + s B A||)(W + s B A);
// full fine-tuning: the trained weights), written with the base's shard layout in `dtype`
// ("bf16", "f16", "f32"; "" = the base's stored dtype), with the base's generation_config.json
// and tokenizer files copied. A mixture (SLIM, MixLoRA, LoRAMoE, MoLA) is folded at `routing`
// (AdapterSetImpl::foldIntoBase says how exact that is for each), which is recorded with the
// method in the folder's slim_merge.json; it is required for mixtures and refused otherwise.
void exportMerged(const ExportSource &source, const std::filesystem::path &out,
                  const std::string &dtype = {}, const MergeRouting &routing = {});

// Bringing an adapter in: the run spec (JSON text) that evaluates the adapter in `adapterDir`
// (a PEFT adapter or a workbench export) on the base in `baseModelDir` like any run, so its
// forgetting and downstream scores sit next to the workbench's own: init_adapter set, the
// adapter section read from the folder, schedule.steps 0. Throws ModelLoadError naming the
// file and field when the adapter does not fit the base.
std::string importAdapterSpec(const std::filesystem::path &adapterDir,
                              const std::filesystem::path &baseModelDir, const std::string &name);

} // namespace slim::engine
