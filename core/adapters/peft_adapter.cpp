#include "peft_adapter.h"

#include "lora_adapter.h"
#include "target_spec.h"
#include "common/file_writes.h"
#include "model/model_io.h"
#include "model/safetensors.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <fstream>
#include <optional>
#include <regex>
#include <set>
#include <sstream>

namespace slim::engine {

namespace fs = std::filesystem;

namespace {

constexpr const char *kConfigFile = "adapter_config.json";
constexpr const char *kWeightsFile = "adapter_model.safetensors";
constexpr const char *kPrefix = "base_model.model.";

nlohmann::json readConfig(const fs::path &path)
{
    auto json = readJsonFile(path);
    if (!json.is_object())
        throw ModelLoadError(path.string() + ": expected a JSON object");
    return json;
}

// Every projection the engine can adapt, as (layer, projection, full module name).
struct Projection
{
    int64_t layer;
    std::string name;
    std::string module;
};

std::vector<Projection> projectionsOf(const LlamaConfig &base)
{
    std::vector<Projection> out;
    for (int64_t i = 0; i < base.num_hidden_layers; ++i) {
        for (const auto *group : {&TargetSpec::attentionProjections(), &TargetSpec::mlpProjections()}) {
            for (const auto &p : *group)
                out.push_back({i, p, TargetSpec::moduleName(i, p)});
        }
    }
    return out;
}

// The other modules of a causal LM that PEFT could target and this engine does not adapt.
std::vector<std::string> otherModulesOf(const LlamaConfig &base)
{
    std::vector<std::string> out = {"model.embed_tokens", "lm_head"};
    for (int64_t i = 0; i < base.num_hidden_layers; ++i)
        out.push_back("model.layers." + std::to_string(i) + ".mlp.act_fn");
    return out;
}

bool endsWithComponent(const std::string &name, const std::string &key)
{
    return name == key
           || (name.size() > key.size() && name.compare(name.size() - key.size(), key.size(), key) == 0
               && name[name.size() - key.size() - 1] == '.');
}

// PEFT's check_target_module_exists, for the fields it reads.
class PeftMatcher
{
public:
    PeftMatcher(const nlohmann::json &config, const std::string &file)
        : m_file(file)
    {
        const auto &targets = config.value("target_modules", nlohmann::json());
        if (targets.is_string()) {
            const auto text = targets.get<std::string>();
            m_allLinear = text == "all-linear";
            if (!m_allLinear)
                m_regex = compile(text, "target_modules");
        } else if (targets.is_array()) {
            for (const auto &t : targets) {
                if (!t.is_string())
                    fail("'target_modules' entries must be strings, got " + t.dump());
                m_list.push_back(t.get<std::string>());
            }
        } else {
            fail("'target_modules' must be a list of module names or a regular expression, got "
                 + targets.dump());
        }
        const auto &excluded = config.value("exclude_modules", nlohmann::json());
        if (excluded.is_string())
            m_excludeRegex = compile(excluded.get<std::string>(), "exclude_modules");
        else if (excluded.is_array())
            m_excludeList = excluded.get<std::vector<std::string>>();
        const auto &layers = config.value("layers_to_transform", nlohmann::json());
        if (layers.is_number_integer())
            m_layers = {layers.get<int64_t>()};
        else if (layers.is_array())
            m_layers = layers.get<std::vector<int64_t>>();
        const auto &pattern = config.value("layers_pattern", nlohmann::json());
        if (pattern.is_string() && !pattern.get<std::string>().empty())
            m_layersPattern = {pattern.get<std::string>()};
        else if (pattern.is_array())
            m_layersPattern = pattern.get<std::vector<std::string>>();
    }

    bool matches(const std::string &module, bool isProjection) const
    {
        if (m_excludeRegex && std::regex_match(module, *m_excludeRegex))
            return false;
        for (const auto &e : m_excludeList) {
            if (endsWithComponent(module, e))
                return false;
        }
        if (m_allLinear)
            return isProjection;
        if (m_regex)
            return std::regex_match(module, *m_regex);
        bool found = false;
        for (const auto &t : m_list)
            found = found || endsWithComponent(module, t);
        if (!found || m_layers.empty())
            return found;
        const auto index = layerIndex(module);
        return index >= 0 && std::find(m_layers.begin(), m_layers.end(), index) != m_layers.end();
    }

private:
    [[noreturn]] void fail(const std::string &what) const { throw ModelLoadError(m_file + ": " + what); }

    std::regex compile(const std::string &pattern, const char *field) const
    {
        try {
            return std::regex(pattern, std::regex::ECMAScript);
        } catch (const std::regex_error &e) {
            fail(std::string("'") + field + "' is not a regular expression the engine reads ("
                 + e.what() + "): " + pattern);
        }
    }

    // The layer index in "model.layers.3.mlp.up_proj", found as PEFT does: after the layers
    // pattern when one is given, else the first ".<name>.<digits>." group.
    int64_t layerIndex(const std::string &module) const
    {
        std::smatch m;
        if (m_layersPattern.empty()) {
            static const std::regex any(R"(.*\.[^.]*\.(\d+)\.)");
            if (std::regex_search(module, m, any) && m.position(0) == 0)
                return std::stoll(m[1]);
            return -1;
        }
        for (const auto &p : m_layersPattern) {
            std::regex r(".*\\." + p + "\\.(\\d+)\\.");
            if (std::regex_search(module, m, r) && m.position(0) == 0)
                return std::stoll(m[1]);
        }
        return -1;
    }

    std::string m_file;
    bool m_allLinear = false;
    std::optional<std::regex> m_regex, m_excludeRegex;
    std::vector<std::string> m_list, m_excludeList, m_layersPattern;
    std::vector<int64_t> m_layers;
};

// PEFT's get_pattern_key: the first rank_pattern / alpha_pattern key k with
// re.match(r"(.*\.)?(k)$", module).
const nlohmann::json *patternValue(const nlohmann::json &patterns, const std::string &module)
{
    if (!patterns.is_object())
        return nullptr;
    for (const auto &[key, value] : patterns.items()) {
        try {
            if (std::regex_match(module, std::regex("(.*\\.)?(" + key + ")")))
                return &value;
        } catch (const std::regex_error &) {
            if (endsWithComponent(module, key))
                return &value;
        }
    }
    return nullptr;
}

template<typename T>
T requireField(const nlohmann::json &config, const char *name, const std::string &file)
{
    auto it = config.find(name);
    if (it == config.end() || it->is_null())
        throw ModelLoadError(file + ": missing '" + name + "'");
    try {
        return it->get<T>();
    } catch (const nlohmann::json::exception &) {
        throw ModelLoadError(file + ": '" + name + "' has the wrong type (" + it->type_name()
                             + ")");
    }
}

std::string shapeText(const torch::Tensor &t)
{
    std::ostringstream s;
    s << t.sizes();
    return s.str();
}

} // namespace

bool isPeftAdapterFolder(const fs::path &dir)
{
    std::ifstream in(dir / kConfigFile);
    if (!in)
        return false;
    try {
        auto json = nlohmann::json::parse(in);
        return json.is_object() && json.contains("peft_type");
    } catch (const nlohmann::json::exception &) {
        return false;
    }
}

namespace {

AdapterConfig readPeftConfig(const fs::path &dir, const LlamaConfig &base,
                             ModuleOverrides &overrides)
{
    const auto configPath = (dir / kConfigFile).string();
    const auto config = readConfig(dir / kConfigFile);
    const auto peftType = requireField<std::string>(config, "peft_type", configPath);
    if (peftType != "LORA")
        throw ModelLoadError(configPath + ": 'peft_type' " + peftType
                             + " is not supported (LORA, with or without use_dora)");
    if (config.value("bias", std::string("none")) != "none")
        throw ModelLoadError(configPath + ": 'bias' " + config["bias"].dump()
                             + " is not supported (only \"none\": trained biases are not read)");
    if (auto it = config.find("modules_to_save"); it != config.end() && !it->is_null()
                                                  && !(it->is_array() && it->empty()))
        throw ModelLoadError(configPath + ": 'modules_to_save' " + it->dump()
                             + " is not supported (fully trained modules are not read)");
    // fan_in_fan_out only concerns Conv1D layers (GPT-2); PEFT resets it for nn.Linear, as
    // every Llama-family projection is, so it changes nothing here either.
    for (const char *unsupported : {"use_qalora", "lora_bias"}) {
        if (config.value(unsupported, false))
            throw ModelLoadError(configPath + ": '" + unsupported + "' is not supported");
    }

    AdapterConfig ac = AdapterConfig::defaultsFor(config.value("use_dora", false)
                                                      ? AdapterMethod::Dora
                                                      : AdapterMethod::Lora);
    ac.lora_rank = requireField<int64_t>(config, "r", configPath);
    ac.lora_alpha = config.contains("lora_alpha") ? requireField<double>(config, "lora_alpha", configPath)
                                                  : 8.0;
    ac.use_rslora = config.value("use_rslora", false);
    ac.lora_dropout = config.value("lora_dropout", 0.0);
    ac.l1_lambda = 0;
    if (ac.lora_rank <= 0)
        throw ModelLoadError(configPath + ": 'r' must be positive");

    const PeftMatcher matcher(config, configPath);
    for (const auto &other : otherModulesOf(base)) {
        if (matcher.matches(other, false))
            throw ModelLoadError(configPath + ": 'target_modules' selects '" + other
                                 + "', which the engine cannot adapt (only the attention and MLP "
                                   "projections)");
    }
    std::string targets;
    const auto rankPattern = config.value("rank_pattern", nlohmann::json::object());
    const auto alphaPattern = config.value("alpha_pattern", nlohmann::json::object());
    for (const auto &p : projectionsOf(base)) {
        if (!matcher.matches(p.module, true))
            continue;
        targets += (targets.empty() ? "" : ",") + p.module;
        LoraShape shape{ac.lora_rank, ac.lora_alpha};
        if (const auto *r = patternValue(rankPattern, p.module))
            shape.rank = r->get<int64_t>();
        if (const auto *a = patternValue(alphaPattern, p.module))
            shape.alpha = a->get<double>();
        if (shape.rank != ac.lora_rank || shape.alpha != ac.lora_alpha)
            overrides[p.module] = shape;
    }
    if (targets.empty())
        throw ModelLoadError(configPath + ": 'target_modules' " + config["target_modules"].dump()
                             + " matches no projection of this " + base.architecture());
    ac.targets = targets;
    return ac;
}

AdapterSet readPeftAdapter(const fs::path &dir, CausalLm model)
{
    const auto configPath = (dir / kConfigFile).string();
    ModuleOverrides overrides;
    const auto ac = readPeftConfig(dir, model->config(), overrides);

    AdapterSet set(nullptr);
    try {
        set = AdapterSet(model, ac, overrides);
    } catch (const std::invalid_argument &e) {
        throw ModelLoadError(configPath + ": " + e.what());
    }

    const auto weightsPath = dir / kWeightsFile;
    SafetensorsFile file;
    try {
        file = readSafetensors(weightsPath);
    } catch (const SafetensorsError &e) {
        throw ModelLoadError(e.what());
    }
    std::set<std::string> used;
    torch::NoGradGuard noGrad;
    auto take = [&](const std::string &name, torch::Tensor &target) {
        auto it = file.tensors.find(name);
        if (it == file.tensors.end())
            throw ModelLoadError(weightsPath.string() + ": missing tensor '" + name + "'");
        if (it->second.sizes() != target.sizes())
            throw ModelLoadError(weightsPath.string() + ": tensor '" + name + "' has shape "
                                 + shapeText(it->second) + ", but this base model needs "
                                 + shapeText(target)
                                 + " (an adapter for a different base model?)");
        target.copy_(it->second);
        used.insert(name);
    };
    for (const auto &site : set->loraSites()) {
        const auto base = kPrefix + site.module;
        take(base + ".lora_A.weight", site.lora->lora_A);
        take(base + ".lora_B.weight", site.lora->lora_B);
        if (site.lora->magnitude.defined())
            take(base + ".lora_magnitude_vector", site.lora->magnitude);
    }
    for (const auto &[name, tensor] : file.tensors) {
        if (!used.count(name))
            throw ModelLoadError(weightsPath.string() + ": tensor '" + name
                                 + "' belongs to no adapted module of this base model (an "
                                   "adapter for a different base model, or a module "
                                   "target_modules does not select)");
    }
    set->eval();
    return set;
}

} // namespace

AdapterConfig peftAdapterConfig(const fs::path &dir, const LlamaConfig &base)
{
    ModuleOverrides overrides;
    try {
        return readPeftConfig(dir, base, overrides);
    } catch (const nlohmann::json::exception &e) {
        throw ModelLoadError((dir / kConfigFile).string() + ": " + e.what());
    }
}

AdapterSet loadPeftAdapter(const fs::path &dir, CausalLm model)
{
    try {
        return readPeftAdapter(dir, std::move(model));
    } catch (const nlohmann::json::exception &e) {
        // A field of the wrong type somewhere in adapter_config.json.
        throw ModelLoadError((dir / kConfigFile).string() + ": " + e.what());
    }
}

void savePeftAdapter(const AdapterSetImpl &set, const fs::path &dir, const std::string &baseModel)
{
    const auto &c = set.config();
    if (c.method != AdapterMethod::Lora && c.method != AdapterMethod::Dora)
        throw std::invalid_argument("a " + methodName(c.method)
                                    + " run has no PEFT form; export it with --format slim, or "
                                      "as a merged model");
    const auto sites = set.loraSites();
    // target_modules: projection names when every layer adapts the same ones, else module names.
    std::map<std::string, std::set<int64_t>> layersOf;
    for (const auto &s : sites) {
        const auto dot = s.module.rfind('.');
        const auto layer = std::stoll(s.module.substr(std::string("model.layers.").size()));
        layersOf[s.module.substr(dot + 1)].insert(layer);
    }
    const auto numLayers = set.model()->numLayers();
    bool uniform = true;
    for (const auto &[proj, layers] : layersOf)
        uniform = uniform && int64_t(layers.size()) == numLayers;
    nlohmann::json targets = nlohmann::json::array();
    if (uniform) {
        for (const auto &[proj, layers] : layersOf)
            targets.push_back(proj);
    } else {
        for (const auto &s : sites)
            targets.push_back(s.module);
    }
    nlohmann::json rankPattern = nlohmann::json::object(), alphaPattern = nlohmann::json::object();
    for (const auto &[module, shape] : set.overrides()) {
        rankPattern[module] = shape.rank;
        alphaPattern[module] = shape.alpha;
    }
    nlohmann::json config = {
        {"peft_type", "LORA"},
        {"task_type", "CAUSAL_LM"},
        {"base_model_name_or_path", baseModel},
        {"r", c.lora_rank},
        {"lora_alpha", c.lora_alpha},
        {"lora_dropout", c.lora_dropout},
        {"target_modules", targets},
        {"use_rslora", c.use_rslora},
        {"use_dora", c.method == AdapterMethod::Dora},
        {"bias", "none"},
        {"fan_in_fan_out", false},
        {"modules_to_save", nullptr},
        {"init_lora_weights", true},
        {"inference_mode", true},
        {"layers_to_transform", nullptr},
        {"layers_pattern", nullptr},
        {"rank_pattern", rankPattern},
        {"alpha_pattern", alphaPattern},
        {"revision", nullptr},
    };
    std::map<std::string, torch::Tensor> tensors;
    for (const auto &s : sites) {
        const auto base = kPrefix + s.module;
        tensors[base + ".lora_A.weight"] = s.lora->lora_A.detach();
        tensors[base + ".lora_B.weight"] = s.lora->lora_B.detach();
        if (s.lora->magnitude.defined())
            tensors[base + ".lora_magnitude_vector"] = s.lora->magnitude.detach();
    }
    fs::create_directories(dir);
    writeSafetensors(dir / kWeightsFile, tensors, torch::kFloat, {{"format", "pt"}});
    common::writeTextFile(dir / kConfigFile, config.dump(2) + '\n');
}

} // namespace slim::engine
