#include "adapter_set.h"

#include "lora_adapter.h"
#include "mixlora_mlp.h"
#include "peft_adapter.h"
#include "projection_mixture.h"
#include "slim_mlp.h"
#include "target_spec.h"
#include "common/file_writes.h"
#include "model/model_io.h"
#include "model/safetensors.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <functional>

namespace slim::engine {

namespace fs = std::filesystem;

namespace {

constexpr const char *kConfigFile = "adapter_config.json";
constexpr const char *kWeightsFile = "adapter_model.safetensors";
// The workbench adapter format (docs/adapter-format.md): the AdapterConfig fields plus these.
constexpr int64_t kFormatVersion = 1;
constexpr const char *kVersionKey = "slim_format_version";
constexpr const char *kBaseKey = "base_model";
constexpr const char *kOverridesKey = "module_overrides";

struct NamedProjection
{
    std::string name;
    AdaptableLinearImpl *linear;
};

std::vector<NamedProjection> projectionsOf(DecoderLayerImpl &layer)
{
    auto &attn = *layer.self_attn;
    auto &mlp = *layer.mlp;
    return {{"q_proj", attn.q_proj.get()},   {"k_proj", attn.k_proj.get()},
            {"v_proj", attn.v_proj.get()},   {"o_proj", attn.o_proj.get()},
            {"gate_proj", mlp.gate_proj.get()}, {"up_proj", mlp.up_proj.get()},
            {"down_proj", mlp.down_proj.get()}};
}

AdaptableLinearImpl *projectionOf(DecoderLayerImpl &layer, const std::string &name)
{
    for (auto &p : projectionsOf(layer)) {
        if (p.name == name)
            return p.linear;
    }
    throw std::logic_error("no projection " + name);
}

bool isAttention(const std::string &projection)
{
    return TargetSpec::attentionProjections().count(projection) > 0;
}

} // namespace

AdapterSetImpl::AdapterSetImpl(CausalLm model, AdapterConfig config, ModuleOverrides overrides)
    : m_model(std::move(model))
    , m_config(std::move(config))
    , m_overrides(std::move(overrides))
{
    m_config.validate(m_model->numLayers());
    TargetSpec::parse(m_config.targets); // reject bad targets before touching the model
    layers = register_module("layers", torch::nn::ModuleList());
    if (m_config.method == AdapterMethod::Full) {
        for (auto &p : m_model->parameters())
            p.set_requires_grad(true);
        return;
    }
    for (int64_t i = 0; i < m_model->numLayers(); ++i) {
        auto &layer = m_model->layer(i);
        if (layer.mlp->adapter())
            throw std::logic_error("the model already carries adapters; detach them first");
        for (auto &p : projectionsOf(layer)) {
            if (p.linear->adapter())
                throw std::logic_error("the model already carries adapters; detach them first");
        }
    }
    for (auto &p : m_model->parameters())
        p.set_requires_grad(false);
    for (int64_t i = 0; i < m_model->numLayers(); ++i)
        attachLayer(i);
    m_attached = true;
    train(m_model->is_training());
}

AdapterSetImpl::~AdapterSetImpl()
{
    detach();
}

void AdapterSetImpl::attachProjectionLora(torch::nn::Module &layerModule,
                                          AdaptableLinearImpl &linear, int64_t layer,
                                          const std::string &name, int64_t rank, bool dora)
{
    const auto module = TargetSpec::moduleName(layer, name);
    double alpha = m_config.lora_alpha;
    if (auto it = m_overrides.find(module); it != m_overrides.end()) {
        rank = it->second.rank;
        alpha = it->second.alpha;
    }
    auto lora = std::make_shared<LoraAdapterImpl>(
        linear, rank, loraScaling(alpha, rank, m_config.use_rslora), m_config.lora_dropout, dora);
    layerModule.register_module(name, lora);
    linear.setAdapter(lora);
    m_loras.push_back({module, lora, &linear});
}

std::vector<LoraSite> AdapterSetImpl::loraSites() const
{
    std::vector<LoraSite> sites;
    for (const auto &l : m_loras)
        sites.push_back({l.module, l.lora.get(), l.linear});
    return sites;
}

void AdapterSetImpl::attachLayer(int64_t index)
{
    auto layerModule = std::make_shared<torch::nn::Module>("LayerAdapters");
    layers->push_back(layerModule);
    auto &layer = m_model->layer(index);
    const auto targets = TargetSpec::parse(m_config.targets);
    const auto method = m_config.method;

    if (method == AdapterMethod::Slim || method == AdapterMethod::MixLora
        || method == AdapterMethod::MixLoraDy) {
        std::shared_ptr<MlpAdapter> hook;
        if (method == AdapterMethod::Slim) {
            auto slim = std::make_shared<SlimMlpImpl>(m_config, *layer.mlp, index);
            layerModule->register_module("mlp", slim);
            m_slims.push_back(slim);
            hook = slim;
        } else {
            auto mix = std::make_shared<MixLoraMlpImpl>(m_config, *layer.mlp, index);
            layerModule->register_module("mlp", mix);
            m_mixLoras.push_back(mix);
            hook = mix;
        }
        layer.mlp->setAdapter(hook);
        if (m_config.attention_lora_rank > 0) {
            for (auto &p : projectionsOf(layer)) {
                if (isAttention(p.name))
                    attachProjectionLora(*layerModule, *p.linear, index, p.name,
                                         m_config.attention_lora_rank, false);
            }
        }
        return;
    }

    for (auto &p : projectionsOf(layer)) {
        if (!targets.matches(index, p.name))
            continue;
        if (method == AdapterMethod::Lora || method == AdapterMethod::Dora) {
            attachProjectionLora(*layerModule, *p.linear, index, p.name, m_config.lora_rank,
                                 method == AdapterMethod::Dora);
            continue;
        }
        ProjectionMixtureOptions o;
        o.num_experts = m_config.expertsInLayer(index, m_model->numLayers());
        o.rank = m_config.lora_rank;
        o.scaling = m_config.scaling();
        o.dropout = m_config.lora_dropout;
        o.rule = method == AdapterMethod::LoraMoe ? RoutingRule::Dense : RoutingRule::TopK;
        o.top_k = std::min(m_config.top_k, o.num_experts);
        o.aux_loss = m_config.aux_loss_coef > 0;
        if (method == AdapterMethod::LoraMoe && m_config.blc_weight > 0)
            o.balance_delta = m_config.blc_alpha;
        auto mixture = std::make_shared<ProjectionMixtureImpl>(*p.linear, o, index, p.name);
        layerModule->register_module(p.name, mixture);
        p.linear->setAdapter(mixture);
        m_projectionMixtures.push_back(mixture);
    }
}

void AdapterSetImpl::train(bool on)
{
    torch::nn::Module::train(on);
    m_model->train(on);
}

std::vector<torch::Tensor> AdapterSetImpl::trainableParameters()
{
    return m_config.method == AdapterMethod::Full ? m_model->parameters() : parameters();
}

int64_t AdapterSetImpl::trainableParameterCount()
{
    int64_t n = 0;
    for (auto &p : trainableParameters())
        n += p.numel();
    return n;
}

torch::Tensor AdapterSetImpl::l1Term()
{
    auto total = torch::zeros({}, torch::TensorOptions().device(m_model->device()));
    for (auto &l : m_loras)
        total = total + l.lora->l1();
    for (auto &m : m_projectionMixtures)
        total = total + m->l1();
    for (auto &m : m_slims)
        total = total + m->l1();
    for (auto &m : m_mixLoras)
        total = total + m->l1();
    return total;
}

torch::Tensor AdapterSetImpl::auxTerm()
{
    auto total = torch::zeros({}, torch::TensorOptions().device(m_model->device()));
    auto add = [&](const torch::Tensor &aux) {
        if (aux.defined())
            total = total + aux;
    };
    for (auto &m : m_projectionMixtures)
        add(m->lastAuxLoss());
    for (auto &m : m_slims)
        add(m->lastAuxLoss());
    for (auto &m : m_mixLoras)
        add(m->lastAuxLoss());
    return total;
}

AdapterSetImpl::Regularisation AdapterSetImpl::regularisation()
{
    Regularisation r{l1Term(), auxTerm(), {}};
    r.total = torch::zeros({}, torch::TensorOptions().device(m_model->device()));
    if (m_config.l1_lambda > 0)
        r.total = r.total + m_config.l1_lambda * r.l1;
    // LoRAMoE's aux term is its localized balancing constraint, weighted by blc_weight.
    const double auxWeight = m_config.method == AdapterMethod::LoraMoe ? m_config.blc_weight
                                                                       : m_config.aux_loss_coef;
    if (auxWeight > 0)
        r.total = r.total + auxWeight * r.aux;
    return r;
}

std::vector<RoutingReport> AdapterSetImpl::takeRoutingReports()
{
    std::vector<RoutingReport> reports;
    for (auto &m : m_slims)
        reports.push_back(m->takeRoutingReport());
    for (auto &m : m_mixLoras)
        reports.push_back(m->takeRoutingReport());
    for (auto &m : m_projectionMixtures)
        reports.push_back(m->takeRoutingReport());
    return reports;
}

std::vector<ClusterReport> AdapterSetImpl::takeClusterReports()
{
    std::vector<ClusterReport> reports;
    for (auto &m : m_slims)
        reports.push_back(m->takeClusterReport());
    return reports;
}

bool AdapterSetImpl::canFold() const
{
    return m_config.method == AdapterMethod::Lora || m_config.method == AdapterMethod::Dora;
}

bool AdapterSetImpl::canFoldAtRouting() const
{
    return isMixture(m_config.method);
}

void AdapterSetImpl::foldIntoBase(const MergeRouting &routing)
{
    if (!canFold() && !canFoldAtRouting())
        throw std::logic_error("a " + methodName(m_config.method)
                               + " run has no adapter to fold: its weights are the model");
    if (!m_attached)
        throw std::logic_error("the adapters are detached already");
    // Every router's weights are looked up (and checked) before the first weight changes.
    std::vector<std::function<void()>> folds;
    for (auto &m : m_projectionMixtures) {
        const auto &weights = routing.at(m->layer(), m->site(), m->bank->numExperts());
        auto *linear = projectionOf(m_model->layer(m->layer()), m->site());
        folds.push_back([&m, linear, &weights] { m->foldInto(*linear, weights); });
    }
    for (size_t i = 0; i < m_slims.size(); ++i) {
        const auto &weights = routing.at(int64_t(i), "mlp", m_slims[i]->router->weight.size(0));
        auto *mlp = m_model->layer(int64_t(i)).mlp.get();
        folds.push_back([this, i, mlp, &weights] { m_slims[i]->foldInto(*mlp, weights); });
    }
    for (size_t i = 0; i < m_mixLoras.size(); ++i) {
        const auto &weights = routing.at(int64_t(i), "mlp", m_mixLoras[i]->gate_proj->numExperts());
        auto *mlp = m_model->layer(int64_t(i)).mlp.get();
        folds.push_back([this, i, mlp, &weights] { m_mixLoras[i]->foldInto(*mlp, weights); });
    }
    for (const auto &fold : folds)
        fold();
    for (auto &l : m_loras)
        l.lora->foldInto(*l.linear);
    detach();
}

void AdapterSetImpl::detach()
{
    if (!m_attached)
        return;
    for (int64_t i = 0; i < m_model->numLayers(); ++i) {
        auto &layer = m_model->layer(i);
        layer.mlp->setAdapter(nullptr);
        for (auto &p : projectionsOf(layer))
            p.linear->setAdapter(nullptr);
    }
    m_attached = false;
}

void AdapterSetImpl::save(const fs::path &dir, const std::string &baseModel) const
{
    fs::create_directories(dir);
    if (m_config.method == AdapterMethod::Full) {
        saveModel(const_cast<CausalLm &>(m_model), dir);
    } else {
        std::map<std::string, torch::Tensor> tensors;
        for (const auto &item : named_parameters())
            tensors[item.key()] = item.value().detach();
        for (const auto &item : named_buffers())
            tensors[item.key()] = item.value().detach();
        writeSafetensors(dir / kWeightsFile, tensors, torch::kFloat,
                         {{"format", "slim-adapter"},
                          {"format_version", std::to_string(kFormatVersion)},
                          {"method", methodName(m_config.method)}});
    }
    auto json = m_config.toJson();
    const auto &base = m_model->config();
    json[kVersionKey] = kFormatVersion;
    json[kBaseKey] = {{"base_model_name_or_path", baseModel},
                      {"architecture", base.architecture()},
                      {"hidden_size", base.hidden_size},
                      {"num_hidden_layers", base.num_hidden_layers},
                      {"vocab_size", base.vocab_size}};
    for (const auto &[module, shape] : m_overrides)
        json[kOverridesKey][module] = {{"rank", shape.rank}, {"alpha", shape.alpha}};
    common::writeTextFile(dir / kConfigFile, json.dump(2) + '\n');
}

namespace {

// adapter_config.json of the workbench format, checked against the base it is loaded onto.
AdapterConfig readWorkbenchConfig(const fs::path &dir, const LlamaConfig &base,
                                  ModuleOverrides &overrides)
{
    const auto configPath = (dir / kConfigFile).string();
    auto json = readJsonFile(dir / kConfigFile);
    try {
        if (!json.is_object())
            throw std::invalid_argument("expected a JSON object");
        // Folders written before the format was versioned have no version key: version 1.
        const auto version = json.value(kVersionKey, int64_t(1));
        if (version > kFormatVersion)
            throw std::invalid_argument("written in adapter format version "
                                        + std::to_string(version) + "; this build reads up to "
                                        + std::to_string(kFormatVersion)
                                        + " (update SLIM Workbench)");
        if (json.contains(kBaseKey)) {
            const auto &b = json[kBaseKey];
            for (const auto &[field, actual] :
                 {std::pair<const char *, int64_t>{"hidden_size", base.hidden_size},
                  {"num_hidden_layers", base.num_hidden_layers},
                  {"vocab_size", base.vocab_size}}) {
                if (b.contains(field) && b[field].get<int64_t>() != actual)
                    throw std::invalid_argument(
                        "trained on a base model with " + std::string(field) + " "
                        + b[field].dump() + ", but this base model has " + std::to_string(actual)
                        + " (an adapter for a different base model)");
            }
        }
        if (json.contains(kOverridesKey)) {
            for (const auto &[module, shape] : json[kOverridesKey].items())
                overrides[module] = {shape.at("rank").get<int64_t>(),
                                     shape.at("alpha").get<double>()};
        }
        for (const char *key : {kVersionKey, kBaseKey, kOverridesKey})
            json.erase(key);
        return AdapterConfig::fromJson(json);
    } catch (const std::exception &e) {
        throw ModelLoadError(configPath + ": " + e.what());
    }
}

} // namespace

AdapterConfig adapterConfigOf(const fs::path &dir, const LlamaConfig &base)
{
    if (isPeftAdapterFolder(dir))
        return peftAdapterConfig(dir, base);
    ModuleOverrides overrides;
    return readWorkbenchConfig(dir, base, overrides);
}

AdapterSet loadAdapters(const fs::path &dir, CausalLm model)
{
    if (isPeftAdapterFolder(dir))
        return loadPeftAdapter(dir, model);
    const auto configPath = (dir / kConfigFile).string();
    ModuleOverrides overrides;
    const auto config = readWorkbenchConfig(dir, model->config(), overrides);
    AdapterSet set(nullptr);
    try {
        set = AdapterSet(model, config, overrides);
    } catch (const std::invalid_argument &e) {
        throw ModelLoadError(configPath + ": " + e.what());
    }
    const auto weights = dir / (config.method == AdapterMethod::Full ? "model.safetensors"
                                                                     : kWeightsFile);
    try {
        auto file = readSafetensors(weights);
        assignTensors(config.method == AdapterMethod::Full ? static_cast<torch::nn::Module &>(*model)
                                                           : *set,
                      file.tensors, weights.string());
    } catch (const SafetensorsError &e) {
        throw ModelLoadError(e.what());
    }
    return set;
}

} // namespace slim::engine
