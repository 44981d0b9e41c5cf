#include "adapter_config.h"

#include "adapter_schema.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <set>
#include <stdexcept>

namespace slim::engine {

namespace {

const std::vector<std::pair<AdapterMethod, std::string>> kMethodNames = {
    {AdapterMethod::Full, "full"},       {AdapterMethod::Lora, "lora"},
    {AdapterMethod::Dora, "dora"},       {AdapterMethod::Slim, "slim"},
    {AdapterMethod::MixLora, "mixlora"}, {AdapterMethod::MixLoraDy, "mixlora-dy"},
    {AdapterMethod::LoraMoe, "loramoe"}, {AdapterMethod::Mola, "mola"},
};

// Visits every serialised field with its JSON name, so toJson and fromJson cannot drift apart.
template<typename Config, typename Visitor>
void forEachField(Config &c, Visitor &&visit)
{
    visit("targets", c.targets);
    visit("lora_rank", c.lora_rank);
    visit("lora_alpha", c.lora_alpha);
    visit("use_rslora", c.use_rslora);
    visit("lora_dropout", c.lora_dropout);
    visit("num_lora_experts", c.num_lora_experts);
    visit("experts_per_layer", c.experts_per_layer);
    visit("top_k", c.top_k);
    visit("top_p", c.top_p);
    visit("aux_loss_coef", c.aux_loss_coef);
    visit("blc_weight", c.blc_weight);
    visit("blc_alpha", c.blc_alpha);
    visit("attention_lora_rank", c.attention_lora_rank);
    visit("num_identity_experts", c.num_identity_experts);
    visit("weight_yielding", c.weight_yielding);
    visit("yield_gamma", c.yield_gamma);
    visit("router_input", c.router_input);
    visit("num_clusters", c.num_clusters);
    visit("cluster_beta", c.cluster_beta);
    visit("cluster_eps", c.cluster_eps);
    visit("sigma2_floor", c.sigma2_floor);
    visit("cluster_distance", c.cluster_distance);
    visit("ood_statistic", c.ood_statistic);
    visit("ood_reference", c.ood_reference);
    visit("cluster_granularity", c.cluster_granularity);
    visit("cluster_init", c.cluster_init);
    visit("cluster_reseed_after", c.cluster_reseed_after);
    visit("merge", c.merge);
    visit("drop_rate", c.drop_rate);
    visit("dare_rescale", c.dare_rescale);
    visit("inference_mask", c.inference_mask);
    visit("l1_lambda", c.l1_lambda);
}

} // namespace

double loraScaling(double alpha, int64_t rank, bool rslora)
{
    return rslora ? alpha / std::sqrt(double(rank)) : alpha / double(rank);
}

std::string methodName(AdapterMethod method)
{
    for (const auto &[m, name] : kMethodNames) {
        if (m == method)
            return name;
    }
    return "unknown";
}

AdapterMethod methodFromName(const std::string &name)
{
    for (const auto &[m, n] : kMethodNames) {
        if (n == name)
            return m;
    }
    std::string list;
    for (const auto &[m, n] : kMethodNames)
        list += (list.empty() ? "" : ", ") + n;
    throw std::invalid_argument("adapter.method: '" + name + "' is not one of " + list);
}

bool isMixture(AdapterMethod method)
{
    return method != AdapterMethod::Full && method != AdapterMethod::Lora
           && method != AdapterMethod::Dora;
}

const std::vector<AdapterMethod> &allMethods()
{
    static const std::vector<AdapterMethod> methods = [] {
        std::vector<AdapterMethod> out;
        for (const auto &[m, n] : kMethodNames)
            out.push_back(m);
        return out;
    }();
    return methods;
}

int64_t AdapterConfig::expertsInLayer(int64_t layer, int64_t numLayers) const
{
    if (method != AdapterMethod::Mola || experts_per_layer.empty())
        return num_lora_experts;
    // One entry per group of numLayers / entries consecutive layers (validate() checks that
    // the entries divide the layers).
    const auto layersPerEntry = std::max<int64_t>(1, numLayers / int64_t(experts_per_layer.size()));
    return experts_per_layer.at(size_t(std::min<int64_t>(layer / layersPerEntry,
                                                         int64_t(experts_per_layer.size()) - 1)));
}

AdapterConfig AdapterConfig::defaultsFor(AdapterMethod method)
{
    AdapterConfig c;
    c.method = method;
    c.l1_lambda = method == AdapterMethod::Slim ? 1e-3 : 0.0;
    switch (method) {
    case AdapterMethod::Full:
        c.targets = "all";
        break;
    case AdapterMethod::Lora:
    case AdapterMethod::Dora:
        c.lora_rank = 128;
        c.lora_alpha = 256;
        break;
    case AdapterMethod::MixLora:
    case AdapterMethod::MixLoraDy:
        c.aux_loss_coef = 1e-3;
        c.attention_lora_rank = 16;
        break;
    case AdapterMethod::LoraMoe:
        // The LoRAMoE paper's constraint strength and imbalance (beta = delta = 0.1).
        c.blc_weight = 0.1;
        c.blc_alpha = 0.1;
        break;
    case AdapterMethod::Mola:
    case AdapterMethod::Slim:
        break;
    }
    return c;
}

void AdapterConfig::validate(int64_t numLayers) const
{
    if (method == AdapterMethod::Full)
        return;
    const auto json = toJson();
    const auto name = methodName(method);
    std::vector<spec::SpecError> errors;
    for (const auto &field : adapterFieldSpecs()) {
        if (field.appliesTo(name))
            spec::checkField(field, json.at(field.path.substr(std::string("adapter.").size())),
                             errors);
    }
    if (!errors.empty())
        throw std::invalid_argument(errors.front().text());
    if (method == AdapterMethod::Mola && !experts_per_layer.empty()
        && (int64_t(experts_per_layer.size()) > numLayers
            || numLayers % int64_t(experts_per_layer.size()) != 0))
        throw std::invalid_argument("adapter.experts_per_layer: has "
                                    + std::to_string(experts_per_layer.size())
                                    + " entries, which do not divide the model's "
                                    + std::to_string(numLayers)
                                    + " layers into equal groups (give one entry per layer, or "
                                      "one per group of consecutive layers)");

    if (method == AdapterMethod::Slim || method == AdapterMethod::MixLora
        || method == AdapterMethod::Mola) {
        for (int64_t layer = 0; layer < numLayers; ++layer) {
            const auto experts = expertsInLayer(layer, numLayers)
                                 + (method == AdapterMethod::Slim ? num_identity_experts : 0);
            if (top_k > experts)
                throw std::invalid_argument("adapter.top_k: " + std::to_string(top_k)
                                            + " is more than the " + std::to_string(experts)
                                            + " experts of layer " + std::to_string(layer));
        }
    }
}

nlohmann::json AdapterConfig::toJson() const
{
    // Only the fields the method uses, so a config reads as what it is.
    const auto name = methodName(method);
    std::set<std::string> applicable;
    for (const auto &field : adapterFieldSpecs()) {
        if (field.appliesTo(name))
            applicable.insert(field.path.substr(std::string("adapter.").size()));
    }
    nlohmann::json json = {{"method", name}};
    forEachField(*this, [&](const char *field, const auto &value) {
        if (applicable.count(field))
            json[field] = value;
    });
    return json;
}

AdapterConfig AdapterConfig::fromJson(const nlohmann::json &json)
{
    if (!json.is_object())
        throw std::invalid_argument("adapter: expected a JSON object");
    if (!json.contains("method") || !json["method"].is_string())
        throw std::invalid_argument("adapter.method: missing (a string such as \"slim\")");
    auto config = defaultsFor(methodFromName(json["method"].get<std::string>()));
    size_t known = 1;
    forEachField(config, [&](const char *name, auto &value) {
        auto it = json.find(name);
        if (it == json.end())
            return;
        ++known;
        try {
            value = it->get<std::decay_t<decltype(value)>>();
        } catch (const nlohmann::json::exception &) {
            throw std::invalid_argument(std::string("adapter.") + name + ": wrong type ("
                                        + it->type_name() + ")");
        }
    });
    if (known != json.size()) {
        for (const auto &item : json.items()) {
            const auto &key = item.key(); // (clang 14 cannot capture a structured binding)
            bool found = key == "method";
            forEachField(config, [&](const char *name, auto &) { found = found || key == name; });
            if (!found)
                throw std::invalid_argument("adapter." + key + ": unknown field");
        }
    }
    return config;
}

} // namespace slim::engine
