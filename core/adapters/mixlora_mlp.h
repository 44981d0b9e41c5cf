#pragma once
// MixLoRA (Li et al. 2024) on one SwiGLU block: a router over E experts, each expert the frozen
// FFN with its own LoRA on gate/up/down; the output is the routing-weighted sum of the chosen
// experts' FFN outputs (unlike SLIM, which merges deltas and runs the FFN once). Top-K routing
// (MixLoRA) or top-p (MixLoRA-Dy).

#include "adapter_config.h"
#include "lora_bank.h"
#include "routing.h"
#include "model/llama_layers.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>

namespace slim::engine {

class MixLoraMlpImpl : public torch::nn::Module, public MlpAdapter
{
public:
    MixLoraMlpImpl(const AdapterConfig &config, const MlpImpl &mlp, int64_t layer);

    // u: [B, S, d] -> [B, S, d]; pad tokens are not routed (their output is the zero vector).
    torch::Tensor forward(const torch::Tensor &u, const torch::Tensor &tokenMask,
                          MlpImpl &mlp) override;

    torch::Tensor l1() const { return gate_proj->l1() + up_proj->l1() + down_proj->l1(); }
    torch::Tensor lastAuxLoss() const { return m_lastAux; }
    RoutingReport takeRoutingReport() { return m_stats.take(); }
    // Folds the experts' weight deltas into the block at a fixed routing (one weight per
    // expert): W + sum_e w_e dW_e. Each expert runs the FFN on its own, so the folded block
    // equals this block where one expert takes all the weight or the experts agree, and is the
    // weight-space average of the experts otherwise.
    void foldInto(MlpImpl &mlp, const std::vector<double> &weights) const;

    torch::nn::Linear router{nullptr};
    LoraBank gate_proj{nullptr}, up_proj{nullptr}, down_proj{nullptr};

private:
    RoutingRule m_rule;
    int64_t m_topK;
    double m_topP;
    bool m_aux;
    RoutingStatsAccumulator m_stats;
    torch::Tensor m_lastAux;
};
TORCH_MODULE(MixLoraMlp);

} // namespace slim::engine
