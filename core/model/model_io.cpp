#include "model_io.h"

#include "safetensors.h"
#include "common/file_writes.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <fstream>
#include <memory>
#include <set>
#include <sstream>

namespace slim::engine {

namespace fs = std::filesystem;

namespace {

constexpr const char *kConfigFile = "config.json";
constexpr const char *kGenerationConfigFile = "generation_config.json";
constexpr const char *kWeightsFile = "model.safetensors";
constexpr const char *kIndexFile = "model.safetensors.index.json";

void writeJsonFile(const fs::path &path, const nlohmann::json &json)
{
    common::writeTextFile(path, json.dump(2) + '\n');
}

// Old checkpoints carry rotary tables as tensors; they are derived from the config here.
bool isDerivedTensor(const std::string &name)
{
    return name.find("rotary_emb.inv_freq") != std::string::npos;
}

std::string shapeText(const std::vector<int64_t> &shape)
{
    std::ostringstream s;
    s << torch::IntArrayRef(shape);
    return s.str();
}

// The index's weight_map, checked: every shard it names exists and holds its tensors.
std::map<std::string, std::string> readIndex(const fs::path &dir)
{
    const auto indexPath = dir / kIndexFile;
    auto index = readJsonFile(indexPath);
    if (!index.is_object() || !index.contains("weight_map") || !index["weight_map"].is_object())
        throw ModelLoadError(indexPath.string() + ": no 'weight_map' object");
    std::map<std::string, std::string> map;
    for (auto &[name, file] : index["weight_map"].items()) {
        if (!file.is_string())
            throw ModelLoadError(indexPath.string() + ": 'weight_map' entry '" + name
                                 + "' is not a file name");
        const auto shard = file.get<std::string>();
        if (shard.empty() || fs::path(shard).has_parent_path())
            throw ModelLoadError(indexPath.string() + ": 'weight_map' entry '" + name
                                 + "' names '" + shard + "', not a file of this folder");
        map[name] = shard;
    }
    if (map.empty())
        throw ModelLoadError(indexPath.string() + ": 'weight_map' is empty");
    return map;
}

using ShardMaps = std::map<std::string, std::unique_ptr<SafetensorsMap>>;

ShardMaps openShards(const fs::path &dir, const std::map<std::string, std::string> &weightMap)
{
    ShardMaps maps;
    for (const auto &[name, shard] : weightMap) {
        auto it = maps.find(shard);
        if (it == maps.end()) {
            if (!fs::exists(dir / shard))
                throw ModelLoadError((dir / kIndexFile).string() + ": shard '" + shard
                                     + "' (holding tensor '" + name + "') is missing");
            try {
                it = maps.emplace(shard, std::make_unique<SafetensorsMap>(dir / shard)).first;
            } catch (const SafetensorsError &e) {
                throw ModelLoadError(e.what());
            }
        }
        if (!it->second->contains(name))
            throw ModelLoadError((dir / kIndexFile).string() + ": tensor '" + name
                                 + "' is placed in shard '" + shard
                                 + "', which does not contain it");
    }
    return maps;
}

struct OpenedFolder
{
    ModelFolderInfo info;
    ShardMaps maps;
};

OpenedFolder openFolder(const fs::path &dir)
{
    OpenedFolder out;
    auto &info = out.info;
    info.config = loadConfig(dir);
    if (fs::exists(dir / kWeightsFile)) {
        try {
            out.maps.emplace(kWeightsFile, std::make_unique<SafetensorsMap>(dir / kWeightsFile));
        } catch (const SafetensorsError &e) {
            throw ModelLoadError(e.what());
        }
        for (const auto &[name, entry] : out.maps.begin()->second->entries())
            info.weight_map[name] = kWeightsFile;
    } else if (fs::exists(dir / kIndexFile)) {
        info.weight_map = readIndex(dir);
        out.maps = openShards(dir, info.weight_map);
    } else {
        throw ModelLoadError(dir.string() + ": no " + kWeightsFile + " or " + kIndexFile
                             + " (only safetensors checkpoints are read)");
    }
    std::set<std::string> dtypes;
    for (const auto &[file, map] : out.maps) {
        info.weight_files.push_back(map->path());
        info.bytes += int64_t(fs::file_size(map->path()));
        for (const auto &[name, entry] : map->entries()) {
            if (info.weight_map.count(name) == 0 || info.weight_map[name] != file)
                continue; // a copy the index does not point at
            int64_t n = 1;
            for (auto d : entry.shape)
                n *= d;
            info.parameters += n;
            dtypes.insert(dtypeName(entry.dtype));
        }
    }
    info.stored_dtype = dtypes.size() == 1 ? *dtypes.begin() : "mixed";
    return out;
}

} // namespace

torch::ScalarType dtypeFromName(const std::string &name)
{
    if (name == "bfloat16" || name == "bf16")
        return torch::kBFloat16;
    if (name == "float16" || name == "f16" || name == "fp16" || name == "half")
        return torch::kHalf;
    if (name == "float32" || name == "f32" || name == "fp32" || name == "float")
        return torch::kFloat;
    throw std::invalid_argument("dtype '" + name + "' is not supported (bf16, f16, f32)");
}

std::string dtypeName(torch::ScalarType type)
{
    switch (type) {
    case torch::kBFloat16: return "bfloat16";
    case torch::kHalf: return "float16";
    case torch::kFloat: return "float32";
    default: return c10::toString(type);
    }
}

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

nlohmann::json readJsonFile(const fs::path &path)
{
    std::ifstream in(path);
    if (!in)
        throw ModelLoadError(path.string() + ": file not found");
    try {
        return nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception &e) {
        throw ModelLoadError(path.string() + ": not valid JSON: " + e.what());
    }
}

LlamaConfig loadConfig(const fs::path &dir)
{
    const auto path = dir / kConfigFile;
    if (!fs::exists(path))
        throw ModelLoadError(path.string() + ": file not found (is " + dir.string()
                             + " a Hugging Face model folder?)");
    auto json = readJsonFile(path);
    try {
        return LlamaConfig::fromJson(json);
    } catch (const std::invalid_argument &e) {
        throw ModelLoadError(path.string() + ": " + e.what());
    }
}

ModelFolderInfo inspectModelFolder(const fs::path &dir)
{
    return openFolder(dir).info;
}

void saveModel(CausalLm &model, const fs::path &dir, torch::ScalarType storageType,
               const std::map<std::string, std::string> &weightMap)
{
    fs::create_directories(dir);
    auto config = model->config();
    config.torch_dtype = dtypeName(storageType);
    writeJsonFile(dir / kConfigFile, config.toJson());
    nlohmann::json generation = {{"_from_model_config", true},
                                 {"bos_token_id", config.bos_token_id},
                                 {"eos_token_id", config.eos_token_ids.size() == 1
                                                      ? nlohmann::json(config.eos_token_id)
                                                      : nlohmann::json(config.eos_token_ids)}};
    writeJsonFile(dir / kGenerationConfigFile, generation);

    std::map<std::string, std::map<std::string, torch::Tensor>> files;
    for (auto &item : model->named_parameters()) {
        std::string file = kWeightsFile;
        if (!weightMap.empty()) {
            auto it = weightMap.find(item.key());
            if (it == weightMap.end())
                throw ModelLoadError(dir.string() + ": the shard layout has no place for tensor '"
                                     + item.key() + "'");
            file = it->second;
        }
        files[file][item.key()] = item.value().detach();
    }
    std::error_code ec;
    if (weightMap.empty()) {
        fs::remove(dir / kIndexFile, ec);
        writeSafetensors(dir / kWeightsFile, files[kWeightsFile], storageType, {{"format", "pt"}});
        return;
    }
    fs::remove(dir / kWeightsFile, ec); // it would win over the index
    nlohmann::json index = {{"metadata", {{"total_size", 0}}}, {"weight_map", nlohmann::json::object()}};
    int64_t total = 0;
    for (const auto &[file, tensors] : files) {
        writeSafetensors(dir / file, tensors, storageType, {{"format", "pt"}});
        for (const auto &[name, t] : tensors) {
            index["weight_map"][name] = file;
            total += t.numel() * int64_t(c10::elementSize(storageType));
        }
    }
    index["metadata"]["total_size"] = total;
    writeJsonFile(dir / kIndexFile, index);
}

CausalLm loadModel(const fs::path &dir, torch::Device device, torch::ScalarType dtype,
                   std::vector<std::string> *warnings)
{
    auto folder = openFolder(dir);
    const auto &config = folder.info.config;
    ParameterInit init;
    init.options = torch::TensorOptions().dtype(dtype).device(device);
    init.random = false;
    CausalLm model(config, init);

    torch::NoGradGuard noGrad;
    std::set<std::string> used;
    for (auto &item : model->named_parameters()) {
        const auto &name = item.key();
        auto where = folder.info.weight_map.find(name);
        if (where == folder.info.weight_map.end())
            throw ModelLoadError(dir.string() + ": missing tensor '" + name
                                 + "' (config.json's " + config.architecture() + " needs it)");
        const auto &map = *folder.maps.at(where->second);
        const auto &entry = map.entry(name);
        auto &target = item.value();
        if (entry.shape != target.sizes().vec())
            throw ModelLoadError(map.path().string() + ": tensor '" + name + "' has shape "
                                 + shapeText(entry.shape) + ", but config.json implies "
                                 + shapeText(target.sizes().vec()));
        if (!c10::isFloatingType(entry.dtype))
            throw ModelLoadError(map.path().string() + ": tensor '" + name + "' is stored as "
                                 + std::string(c10::toString(entry.dtype))
                                 + ", not a floating-point type");
        target.copy_(map.view(name));
        used.insert(name);
    }
    for (const auto &[name, file] : folder.info.weight_map) {
        if (used.count(name) || isDerivedTensor(name))
            continue;
        // A tied checkpoint may also store lm_head.weight: the embedding serves as the head.
        if (config.tie_word_embeddings && name == "lm_head.weight")
            continue;
        if (warnings)
            warnings->push_back(dir.string() + ": tensor '" + name + "' in " + file
                                + " is not used by " + config.architecture() + "; ignored");
    }
    return model;
}

} // namespace slim::engine
