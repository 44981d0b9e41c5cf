#pragma once
// Save and load models in the Hugging Face folder layout: config.json (+ generation_config.json)
// and model.safetensors, or shards model-0000N-of-0000M.safetensors named by
// model.safetensors.index.json. As in transformers, model.safetensors wins when both exist.

#include "causal_lm.h"

#include <nlohmann/json_fwd.hpp>
#include <torch/types.h>

#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace slim::engine {

class ModelLoadError : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

// What a model folder holds, read from its config and safetensors headers only (no weights):
// for the run form's summary and the memory estimate.
struct ModelFolderInfo
{
    LlamaConfig config;
    std::vector<std::filesystem::path> weight_files;    // model.safetensors or the shards
    std::map<std::string, std::string> weight_map;      // tensor -> file name
    int64_t parameters = 0;                             // elements of the stored tensors
    int64_t bytes = 0;                                  // of the weight files
    std::string stored_dtype;                           // "bfloat16", "float16", "float32", "mixed"
};

// Throws ModelLoadError naming the file (and tensor or field) for a missing or bad config, a
// bad index, a shard the index names that is missing, a tensor the index places in a shard
// that does not hold it, or a malformed safetensors header.
ModelFolderInfo inspectModelFolder(const std::filesystem::path &dir);

// Writes config.json and model.safetensors into `dir` (created if needed). Tensors are stored
// as `storageType` (kFloat, kHalf, kBFloat16). With `weightMap` (tensor -> file, e.g. a base
// model's), tensors go to those shard files and model.safetensors.index.json is written.
// Files are written beside their final names and renamed, so a crash leaves no half file.
void saveModel(CausalLm &model, const std::filesystem::path &dir,
               torch::ScalarType storageType = torch::kFloat,
               const std::map<std::string, std::string> &weightMap = {});

// Reads a model folder onto `device` in `dtype`: each tensor goes from the memory-mapped file
// straight into a parameter created in its final dtype and device. Throws ModelLoadError naming
// the file and the tensor for a missing config, a missing or mis-shaped tensor. Tensors the
// architecture does not use are skipped, each with a line in `warnings` when given (as
// transformers warns about unused weights).
CausalLm loadModel(const std::filesystem::path &dir, torch::Device device = torch::kCPU,
                   torch::ScalarType dtype = torch::kFloat,
                   std::vector<std::string> *warnings = nullptr);

LlamaConfig loadConfig(const std::filesystem::path &dir);

// A JSON file of a model or adapter folder; ModelLoadError naming the file when it is missing
// or not valid JSON.
nlohmann::json readJsonFile(const std::filesystem::path &path);

// The dtype named by a config's torch_dtype or a user's choice ("bfloat16"/"bf16",
// "float16"/"f16"/"fp16", "float32"/"f32"/"fp32"); throws std::invalid_argument otherwise.
torch::ScalarType dtypeFromName(const std::string &name);
std::string dtypeName(torch::ScalarType type); // "bfloat16", "float16", "float32"

// Copies `tensors` into the module's parameters and buffers by name (keeping their dtype and
// device). Every parameter and buffer must be present with its shape and no other tensor may
// be given. `source` names the origin in error messages. Throws ModelLoadError.
void assignTensors(torch::nn::Module &module, const std::map<std::string, torch::Tensor> &tensors,
                   const std::string &source);

} // namespace slim::engine
