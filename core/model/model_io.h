#pragma once
// Save and load models in the Hugging Face folder layout: config.json + model.safetensors
// (or sharded model-0000N-of-0000M.safetensors with model.safetensors.index.json).

#include "causal_lm.h"

#include <torch/types.h>

#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>

namespace slim::engine {

class ModelLoadError : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

// Writes config.json and model.safetensors into `dir` (created if needed). Tensors are stored
// as `storageType` (kFloat, kHalf, kBFloat16).
void saveModel(CausalLm &model, const std::filesystem::path &dir,
               torch::ScalarType storageType = torch::kFloat);

// Reads a model folder onto `device` in `dtype`. Throws ModelLoadError naming the file and the
// tensor for a missing config, a missing, unexpected or mis-shaped tensor.
CausalLm loadModel(const std::filesystem::path &dir, torch::Device device = torch::kCPU,
                   torch::ScalarType dtype = torch::kFloat);

LlamaConfig loadConfig(const std::filesystem::path &dir);

// Copies `tensors` into the module's parameters and buffers by name (keeping their dtype and
// device). Every parameter and buffer must be present with its shape and no other tensor may
// be given. `source` names the origin in error messages. Throws ModelLoadError.
void assignTensors(torch::nn::Module &module, const std::map<std::string, torch::Tensor> &tensors,
                   const std::string &source);

} // namespace slim::engine
