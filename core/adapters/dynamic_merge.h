#pragma once
// DARE-style random dropping for SLIM's dynamic merging (slim-method.md §2.2). The fast form
// drops whole input features (columns of A) and output features (rows of B), each with
// probability 1 - sqrt(1 - p), so the dropped fraction of B A is p; the naive form draws a
// dense mask over every entry of B A (the reference and speed baseline).

#include "lora_bank.h"

#include <torch/types.h>

#include <string>

namespace slim::engine {

enum class MaskMode {
    Sample,   // fresh Bernoulli masks on every forward (global torch RNG: seed it)
    Expected, // masks replaced by their expectation (deterministic)
    None,     // no dropping
};

MaskMode maskModeFromName(const std::string &name); // "sample" | "expected" | "none"

struct DropSettings
{
    double p = 0.5;       // dropped fraction of each expert's B A
    bool rescale = false; // DARE rescale of kept entries by 1 / (1 - p)
};

// Masks for n experts of one projection; dtype/device from `options`.
FeatureMasks fastMasks(int64_t numExperts, int64_t inFeatures, int64_t outFeatures,
                       const DropSettings &drop, MaskMode mode,
                       const torch::TensorOptions &options);

struct DenseMask
{
    torch::Tensor mask; // [n, C_out, C_in], undefined = none
    double factor = 1.0; // scalar applied to every entry (expectation, rescale)
};
DenseMask naiveMask(int64_t numExperts, int64_t inFeatures, int64_t outFeatures,
                    const DropSettings &drop, MaskMode mode, const torch::TensorOptions &options);

} // namespace slim::engine
