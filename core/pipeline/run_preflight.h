#pragma once
// What a run will need before it starts, from the spec and the base model's config only (no
// weights loaded): the dtype its base is loaded in, its memory estimate against what the device
// has, and a one-line description of a model folder. The experiment refuses a run that cannot
// fit with the same check the form and slimctl show. std-only.

#include "pipeline/run_spec.h"
#include "train/memory_estimate.h"

#include <cstdint>
#include <string>

namespace slim::engine {

// The base weights' dtype name for `spec` on `device`: base_dtype when given, else the
// checkpoint's own on a GPU and float32 on a CPU; full fine-tuning always float32 (throws
// std::invalid_argument naming base_dtype when it asks for half precision).
std::string baseDtypeOf(const RunSpec &spec, const std::string &device, const LlamaConfig &config);

struct MemoryCheck
{
    MemoryEstimate estimate;
    std::int64_t available = -1; // bytes the device has now; -1 unknown
    std::string limit;           // what bounds `available` when a limit does (HostMemory)
    std::string device;          // "cpu", "cuda:0"
    std::string dtype;           // of the base weights
    bool fits() const { return available < 0 || estimate.total() <= available; }
    // "needs about 1.21 GiB (weights 0.93 GiB, adapters ..., activations ...) of 20.1 GiB
    // available on cpu"
    std::string summary() const;
};

MemoryCheck checkRunMemory(const RunSpec &spec, const LlamaConfig &config,
                           const std::string &device);

// "Qwen2ForCausalLM, 494.03 M parameters, bfloat16, 2 files, 942.3 MiB; tokenizer: 151665
// tokens, chat template"; throws ModelLoadError (TokenizerError) naming the file and field when
// the folder (its tokenizer) cannot be read.
std::string describeModelFolder(const std::string &dir);

} // namespace slim::engine
