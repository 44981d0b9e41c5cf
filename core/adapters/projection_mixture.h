#pragma once
// A mixture of LoRA experts on one projection with its own router: LoRAMoE (dense softmax over
// all experts) and MoLA (top-K; the expert count may differ per layer).
// y = W x + b + sum_i w_i(x) * s * B_i A_i x, router Linear(C_in -> n, no bias) in float32.

#include "lora_bank.h"
#include "routing.h"
#include "model/adaptable_linear.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>

namespace slim::engine {

struct ProjectionMixtureOptions
{
    int64_t num_experts = 8;
    int64_t rank = 16;
    double scaling = 2.0;
    double dropout = 0.0;
    RoutingRule rule = RoutingRule::Dense;
    int64_t top_k = 2;
    double top_p = 1.0;
    bool aux_loss = false;
    // LoRAMoE's localized balancing constraint instead of the load-balancing loss (> 0: on).
    double balance_delta = -1.0;
};

class ProjectionMixtureImpl : public torch::nn::Module, public ProjectionAdapter
{
public:
    ProjectionMixtureImpl(const AdaptableLinearImpl &base, ProjectionMixtureOptions options,
                          int64_t layer, const std::string &site);

    torch::Tensor forward(const torch::Tensor &x, const AdaptableLinearImpl &base) override;
    torch::Tensor l1() const { return bank->l1(); }
    // Load-balancing loss (LoRAMoE: its localized balancing constraint) of the last training
    // forward, unweighted (undefined if none).
    torch::Tensor lastAuxLoss() const { return m_lastAux; }
    RoutingReport takeRoutingReport() { return m_stats.take(); }
    // Folds the experts into `base` at a fixed routing (one weight per expert): exactly what
    // this mixture computes for a token routed so.
    void foldInto(AdaptableLinearImpl &base, const std::vector<double> &weights) const;
    int64_t layer() const { return m_layer; }
    const std::string &site() const { return m_site; }

    torch::nn::Linear router{nullptr};
    LoraBank bank{nullptr};

private:
    ProjectionMixtureOptions m_options;
    int64_t m_layer;
    std::string m_site;
    RoutingStatsAccumulator m_stats;
    torch::Tensor m_lastAux;
};
TORCH_MODULE(ProjectionMixture);

// Router of a mixture: Linear(in -> experts, no bias), float32, init N(0, 0.02).
torch::nn::Linear makeRouter(int64_t inFeatures, int64_t numExperts, torch::Device device);

} // namespace slim::engine
