#include "model_io.h"

#include "safetensors.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <fstream>
#include <set>

namespace slim::engine {

namespace fs = std::filesystem;

namespace {

constexpr const char *kConfigFile = "config.json";
constexpr const char *kWeightsFile = "model.safetensors";
constexpr const char *kIndexFile = "model.safetensors.index.json";

nlohmann::json readJsonFile(const fs::path &path)
{
    std::ifstream in(path);
    if (!in)
        throw ModelLoadError(path.string() + ": file not found");
    try {
        return nlohmann::json::parse(in);
    } catch (const nlohmann::json::parse_error &e) {
        throw ModelLoadError(path.string() + ": not valid JSON: " + e.what());
    }
}

// Old checkpoints carry rotary tables as tensors; they are derived from the config here.
bool isDerivedTensor(const std::string &name)
{
    return name.find("rotary_emb.inv_freq") != std::string::npos;
}

std::map<std::string, torch::Tensor> readWeights(const fs::path &dir)
{
    std::vector<fs::path> files;
    if (fs::exists(dir / kIndexFile)) {
        auto index = readJsonFile(dir / kIndexFile);
        if (!index.contains("weight_map") || !index["weight_map"].is_object())
            throw ModelLoadError((dir / kIndexFile).string() + ": no 'weight_map' object");
        std::set<std::string> shards;
        for (auto &[name, file] : index["weight_map"].items())
            shards.insert(file.get<std::string>());
        for (const auto &shard : shards)
            files.push_back(dir / shard);
    } else {
        files.push_back(dir / kWeightsFile);
    }
    std::map<std::string, torch::Tensor> all;
    for (const auto &file : files) {
        try {
            auto part = readSafetensors(file);
            for (auto &[name, tensor] : part.tensors) {
                if (!isDerivedTensor(name))
                    all[name] = tensor;
            }
        } catch (const SafetensorsError &e) {
            throw ModelLoadError(e.what());
        }
    }
    return all;
}

} // namespace

void assignTensors(torch::nn::Module &module, const std::map<std::string, torch::Tensor> &tensors,
                   const std::string &source)
{
    torch::NoGradGuard noGrad;
    std::set<std::string> used;
    auto assign = [&](const std::string &name, torch::Tensor &target) {
        auto it = tensors.find(name);
        if (it == tensors.end())
            throw ModelLoadError(source + ": missing tensor '" + name + "'");
        if (it->second.sizes() != target.sizes()) {
            std::ostringstream msg;
            msg << source << ": tensor '" << name << "' has shape " << it->second.sizes()
                << ", expected " << target.sizes();
            throw ModelLoadError(msg.str());
        }
        target.copy_(it->second);
        used.insert(name);
    };
    for (auto &item : module.named_parameters())
        assign(item.key(), item.value());
    for (auto &item : module.named_buffers())
        assign(item.key(), item.value());
    for (const auto &[name, tensor] : tensors) {
        if (!used.count(name))
            throw ModelLoadError(source + ": unexpected tensor '" + name
                                 + "' (does the config match the weights?)");
    }
}

LlamaConfig loadConfig(const fs::path &dir)
{
    auto json = readJsonFile(dir / kConfigFile);
    try {
        return LlamaConfig::fromJson(json);
    } catch (const std::invalid_argument &e) {
        throw ModelLoadError((dir / kConfigFile).string() + ": " + e.what());
    }
}

void saveModel(CausalLm &model, const fs::path &dir, torch::ScalarType storageType)
{
    fs::create_directories(dir);
    auto config = model->config();
    config.torch_dtype = storageType == torch::kHalf       ? "float16"
                         : storageType == torch::kBFloat16 ? "bfloat16"
                                                           : "float32";
    {
        std::ofstream out(dir / kConfigFile);
        out << config.toJson().dump(2) << '\n';
        if (!out)
            throw ModelLoadError((dir / kConfigFile).string() + ": cannot write");
    }
    std::map<std::string, torch::Tensor> tensors;
    for (auto &item : model->named_parameters())
        tensors[item.key()] = item.value().detach();
    writeSafetensors(dir / kWeightsFile, tensors, storageType, {{"format", "pt"}});
}

CausalLm loadModel(const fs::path &dir, torch::Device device, torch::ScalarType dtype)
{
    auto config = loadConfig(dir);
    auto weights = readWeights(dir);
    // Some tied checkpoints also store lm_head.weight; it is the embedding then.
    if (config.tie_word_embeddings)
        weights.erase("lm_head.weight");
    CausalLm model(config);
    assignTensors(*model, weights, dir.string());
    model->to(device, dtype);
    return model;
}

} // namespace slim::engine
