#pragma once
// How a model's tensors are created.

#include <torch/types.h>

#include <vector>

namespace slim::engine {

// How a model's tensors are created: a new model draws random weights (float32, CPU); a model
// about to be filled from a checkpoint gets uninitialised storage straight in its final dtype
// and device, so an 8B model never exists as a float32 copy in host memory.
struct ParameterInit
{
    torch::TensorOptions options = torch::TensorOptions().dtype(torch::kFloat);
    bool random = true;

    torch::Tensor normal(std::vector<int64_t> shape, double std) const;   // N(0, std) or empty
    torch::Tensor filled(std::vector<int64_t> shape, double value) const; // value or empty
};

} // namespace slim::engine
