#include "adapter_config.h"

#include <nlohmann/json.hpp>

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
    visit("lora_dropout", c.lora_dropout);
    visit("num_lora_experts", c.num_lora_experts);
    visit("experts_per_layer", c.experts_per_layer);
    visit("top_k", c.top_k);
    visit("top_p", c.top_p);
    visit("aux_loss_coef", c.aux_loss_coef);
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

void requireOneOf(const std::string &field, const std::string &value,
                  std::initializer_list<const char *> allowed)
{
    std::string list;
    for (const char *a : allowed) {
        if (value == a)
            return;
        list += list.empty() ? a : std::string(", ") + a;
    }
    throw std::invalid_argument("adapter." + field + ": '" + value + "' is not one of " + list);
}

void requireRange(const std::string &field, double value, double low, double high)
{
    if (!(value >= low && value <= high))
        throw std::invalid_argument("adapter." + field + ": " + std::to_string(value)
                                    + " is outside [" + std::to_string(low) + ", "
                                    + std::to_string(high) + "]");
}

} // namespace

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

int64_t AdapterConfig::expertsInLayer(int64_t layer) const
{
    if (method == AdapterMethod::Mola && !experts_per_layer.empty())
        return experts_per_layer.at(size_t(layer));
    return num_lora_experts;
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
    case AdapterMethod::Slim:
    case AdapterMethod::LoraMoe:
    case AdapterMethod::Mola:
        break;
    }
    return c;
}

void AdapterConfig::validate(int64_t numLayers) const
{
    if (method == AdapterMethod::Full)
        return;
    requireRange("lora_rank", double(lora_rank), 1, 65536);
    requireRange("lora_alpha", lora_alpha, 1e-6, 1e9);
    requireRange("lora_dropout", lora_dropout, 0.0, 0.99);
    requireRange("attention_lora_rank", double(attention_lora_rank), 0, 65536);
    const bool mixture = method != AdapterMethod::Lora && method != AdapterMethod::Dora;
    if (!mixture)
        return;
    requireRange("num_lora_experts", double(num_lora_experts), 1, 256);
    requireRange("aux_loss_coef", aux_loss_coef, 0.0, 1e3);
    if (method == AdapterMethod::Mola && !experts_per_layer.empty()) {
        if (int64_t(experts_per_layer.size()) != numLayers)
            throw std::invalid_argument("adapter.experts_per_layer: has "
                                        + std::to_string(experts_per_layer.size())
                                        + " entries, the model has " + std::to_string(numLayers)
                                        + " layers");
        for (auto n : experts_per_layer)
            requireRange("experts_per_layer", double(n), 1, 256);
    }
    for (int64_t layer = 0; layer < numLayers; ++layer) {
        if (method != AdapterMethod::LoraMoe && method != AdapterMethod::MixLoraDy
            && top_k > expertsInLayer(layer) + (method == AdapterMethod::Slim ? num_identity_experts : 0))
            throw std::invalid_argument("adapter.top_k: " + std::to_string(top_k)
                                        + " is more than the experts of layer "
                                        + std::to_string(layer));
    }
    requireRange("top_k", double(top_k), 1, 256);
    requireRange("top_p", top_p, 1e-6, 1.0);
    if (method != AdapterMethod::Slim)
        return;
    requireRange("num_identity_experts", double(num_identity_experts), 0, 64);
    requireRange("yield_gamma", yield_gamma, 0.0, 1e6);
    requireOneOf("router_input", router_input, {"raw", "standardised"});
    requireRange("num_clusters", double(num_clusters), 1, 4096);
    requireRange("cluster_beta", cluster_beta, 1e-9, 1.0);
    requireRange("cluster_eps", cluster_eps, 0.0, 1.0);
    requireRange("sigma2_floor", sigma2_floor, 0.0, 1.0);
    requireOneOf("cluster_distance", cluster_distance, {"euclidean", "standardised"});
    requireOneOf("ood_statistic", ood_statistic, {"max", "p99"});
    requireOneOf("ood_reference", ood_reference, {"running", "one"});
    requireOneOf("cluster_granularity", cluster_granularity, {"token", "sequence"});
    requireOneOf("cluster_init", cluster_init, {"kmeans++", "random"});
    requireRange("cluster_reseed_after", double(cluster_reseed_after), 0, 1e9);
    requireOneOf("merge", merge, {"fast", "naive", "off"});
    requireRange("drop_rate", drop_rate, 0.0, 0.99);
    requireOneOf("inference_mask", inference_mask, {"sample", "expected", "none"});
    requireRange("l1_lambda", l1_lambda, 0.0, 1e3);
}

nlohmann::json AdapterConfig::toJson() const
{
    nlohmann::json json = {{"method", methodName(method)}};
    forEachField(*this, [&](const char *name, const auto &value) { json[name] = value; });
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
        for (auto &[key, value] : json.items()) {
            bool found = key == "method";
            forEachField(config, [&](const char *name, auto &) { found = found || key == name; });
            if (!found)
                throw std::invalid_argument("adapter." + key + ": unknown field");
        }
    }
    return config;
}

} // namespace slim::engine
