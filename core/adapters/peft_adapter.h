#pragma once
// PEFT LoRA adapters (Hugging Face PEFT's save_pretrained layout), read and written:
// adapter_config.json (peft_type "LORA", r, lora_alpha, target_modules, use_rslora, use_dora,
// rank_pattern, alpha_pattern, layers_to_transform, exclude_modules, ...) and
// adapter_model.safetensors with tensors named
// "base_model.model.<module>.lora_A.weight" [r, in], "...lora_B.weight" [out, r] and, for DoRA,
// "...lora_magnitude_vector" [out]. Module matching follows PEFT: a list entry matches a module
// whose name equals it or ends with "." + entry; a string is a regular expression matched
// against the whole name; "all-linear" is every projection (never the output head).

#include "adapter_set.h"

#include <nlohmann/json_fwd.hpp>

#include <filesystem>
#include <string>

namespace slim::engine {

// True when dir/adapter_config.json carries "peft_type" (a PEFT adapter, not the workbench's
// own format).
bool isPeftAdapterFolder(const std::filesystem::path &dir);

// Attaches the PEFT LoRA/DoRA adapter in `dir` to `model`. Refuses, naming the file and the
// field or tensor: another peft_type, trained biases, modules_to_save, fan_in_fan_out, a
// target the engine cannot adapt (embeddings, the head), tensors of modules the base model
// does not have, missing tensors and shapes that do not fit the base (an adapter trained on
// another model). Throws ModelLoadError.
AdapterSet loadPeftAdapter(const std::filesystem::path &dir, CausalLm model);

// The adapter options a PEFT folder stands for on a base of `base`'s shape (method lora or dora,
// r, alpha, rsLoRA, the targeted projections as module names); throws as loadPeftAdapter.
AdapterConfig peftAdapterConfig(const std::filesystem::path &dir, const LlamaConfig &base);

// Writes a LoRA or DoRA set as a PEFT adapter (float32 tensors). `baseModel` goes to
// base_model_name_or_path. Throws std::invalid_argument for other methods: a mixture has no
// PEFT form (export it in the workbench format or merged).
void savePeftAdapter(const AdapterSetImpl &set, const std::filesystem::path &dir,
                     const std::string &baseModel);

} // namespace slim::engine
