#pragma once
// Every adapter of one fine-tuning method attached to one model. Attaching freezes the base
// weights (except for full fine-tuning) and routes the chosen projections / MLP blocks through
// the adapters; the adapters' parameters and buffers live here, named
// "layers.<i>.<site>.<param>" (e.g. "layers.0.mlp.gate_proj.lora_A"), so they save and load on
// their own. Destroying the set detaches it. Thread affinity: the thread that runs the model.

#include "adapter_config.h"
#include "merge_routing.h"
#include "routing.h"
#include "sliding_clusters.h"
#include "model/causal_lm.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>

#include <filesystem>
#include <map>
#include <memory>
#include <vector>

namespace slim::engine {

class LoraAdapterImpl;
class ProjectionMixtureImpl;
class SlimMlpImpl;
class MixLoraMlpImpl;

// Rank and alpha of single projections, overriding the config's (an imported PEFT adapter's
// rank_pattern / alpha_pattern, resolved to full module names such as
// "model.layers.0.mlp.down_proj").
struct LoraShape
{
    int64_t rank = 0;
    double alpha = 0;
};
using ModuleOverrides = std::map<std::string, LoraShape>;

// One plain LoRA/DoRA adapter of the set and the projection it wraps.
struct LoraSite
{
    std::string module; // "model.layers.0.mlp.gate_proj"
    LoraAdapterImpl *lora = nullptr;
    AdaptableLinearImpl *linear = nullptr;
};

class AdapterSetImpl : public torch::nn::Module
{
public:
    // Validates `config` against the model (throws std::invalid_argument naming the field) and
    // attaches. A model carries at most one adapter set at a time.
    AdapterSetImpl(CausalLm model, AdapterConfig config, ModuleOverrides overrides = {});
    ~AdapterSetImpl() override;

    const AdapterConfig &config() const { return m_config; }
    const ModuleOverrides &overrides() const { return m_overrides; }
    // The plain LoRA/DoRA adapters (LoRA and DoRA methods; a mixture's attention LoRAs).
    std::vector<LoraSite> loraSites() const;
    CausalLm model() const { return m_model; }

    // Sets training mode on the adapters and the model (masks, dropout, cluster updates).
    void train(bool on = true) override;

    // What the optimiser updates: the adapters' parameters, or all model weights (full).
    std::vector<torch::Tensor> trainableParameters();
    int64_t trainableParameterCount();

    // The paper's L1 term: sum over adapters of mean|A| + mean|B| (unweighted).
    torch::Tensor l1Term();
    // Sum of the load-balancing losses of the last training forward (unweighted).
    torch::Tensor auxTerm();
    // l1_lambda * l1Term() + aux_loss_coef * auxTerm(), a scalar on the model's device.
    torch::Tensor regularisationLoss() { return regularisation().total; }
    // The same, with its two unweighted terms, from one pass (the trainer logs them).
    struct Regularisation
    {
        torch::Tensor l1, aux, total;
    };
    Regularisation regularisation();

    // Routing and cluster statistics since the last call (one host sync each).
    std::vector<RoutingReport> takeRoutingReports();
    std::vector<ClusterReport> takeClusterReports();

    // LoRA and DoRA fold into the base weights (W <- W + s B A); afterwards the model runs
    // without adapters and this set is detached. The mixtures fold at a fixed routing (their
    // attention LoRAs fold as LoRA): SLIM with its merge masks at their expectation, LoRAMoE and
    // MoLA exactly as they compute a token routed so; MixLoRA, whose experts each run the FFN,
    // as the routing-weighted sum of its experts' weight deltas (exact where one expert takes
    // all the weight). Throws std::logic_error for full fine-tuning, std::invalid_argument for
    // a routing that names no weights or the wrong count for a router.
    bool canFold() const;
    bool canFoldAtRouting() const;
    void foldIntoBase(const MergeRouting &routing = {});

    // Removes the adapters from the model (idempotent). The base weights stay frozen.
    void detach();

    // The workbench adapter format (docs/adapter-format.md, versioned): adapter_config.json
    // + adapter_model.safetensors with every parameter and buffer (router, cluster state); full
    // fine-tuning: the whole model in the Hugging Face layout. `baseModel` is recorded as
    // base_model.base_model_name_or_path.
    void save(const std::filesystem::path &dir, const std::string &baseModel = {}) const;

    torch::nn::ModuleList layers{nullptr};

private:
    void attachLayer(int64_t index);
    void attachProjectionLora(torch::nn::Module &layerModule, AdaptableLinearImpl &linear,
                              int64_t layer, const std::string &name, int64_t rank, bool dora);

    CausalLm m_model;
    AdapterConfig m_config;
    ModuleOverrides m_overrides;
    bool m_attached = false;
    struct AttachedLora
    {
        std::string module;
        std::shared_ptr<LoraAdapterImpl> lora;
        AdaptableLinearImpl *linear;
    };
    std::vector<AttachedLora> m_loras;
    std::vector<std::shared_ptr<ProjectionMixtureImpl>> m_projectionMixtures;
    std::vector<std::shared_ptr<SlimMlpImpl>> m_slims;
    std::vector<std::shared_ptr<MixLoraMlpImpl>> m_mixLoras;
};
TORCH_MODULE(AdapterSet);

// Reads adapter_config.json from `dir`, attaches a new set to `model` and loads its weights:
// the workbench's own format (docs/adapter-format.md, every method) or a PEFT LoRA/DoRA
// adapter (adapter_config.json with "peft_type"). Throws ModelLoadError naming the file and
// the field or tensor on any mismatch.
AdapterSet loadAdapters(const std::filesystem::path &dir, CausalLm model);

// The options of the adapter in `dir` (either format) for a base of `base`'s shape, without
// loading weights. Throws ModelLoadError as loadAdapters does.
AdapterConfig adapterConfigOf(const std::filesystem::path &dir, const LlamaConfig &base);

} // namespace slim::engine
