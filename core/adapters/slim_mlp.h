#pragma once
// The SLIM layer on one SwiGLU block (slim-method.md §2): n LoRA experts and m identity experts
// chosen per token by a router (top-K, renormalised); weight yielding raises the identity
// experts' logits by gamma * d+(u) from sliding clustering; the chosen LoRA deltas are merged
// into gate/up/down with DARE-style dropping (fast row/column masks or the naive dense mask).
// Experts 0..n-1 are LoRA experts, n..n+m-1 identity experts.

#include "adapter_config.h"
#include "dynamic_merge.h"
#include "lora_bank.h"
#include "routing.h"
#include "sliding_clusters.h"
#include "train/rng_state.h"
#include "model/llama_layers.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>

namespace slim::engine {

class SlimMlpImpl : public torch::nn::Module, public MlpAdapter
{
public:
    // `mlp` gives the shapes and device; the adapter is attached by the caller.
    SlimMlpImpl(const AdapterConfig &config, const MlpImpl &mlp, int64_t layer);

    // u: [B, S, d], tokenMask: [B, S] bool (undefined = all real) -> [B, S, d]
    torch::Tensor forward(const torch::Tensor &u, const torch::Tensor &tokenMask,
                          MlpImpl &mlp) override;

    torch::Tensor l1() const; // sum over gate/up/down banks
    // Folds the experts into the block's projections at a fixed routing `weights` (one per
    // expert, LoRA experts first; identity experts add nothing), with each merge mask replaced
    // by its expectation: the block then computes what SLIM computes with inference_mask
    // "expected" for a token routed exactly so.
    void foldInto(MlpImpl &mlp, const std::vector<double> &weights) const;
    torch::Tensor lastAuxLoss() const { return m_lastAux; } // undefined unless enabled
    torch::Tensor lastWeights() const { return m_lastWeights; } // [T, E] of the last forward
    RoutingReport takeRoutingReport() { return m_stats.take(); }
    ClusterReport takeClusterReport() { return clusters->takeReport(); }

    torch::nn::Linear router{nullptr}; // d -> n + m, float32
    LoraBank gate_proj{nullptr}, up_proj{nullptr}, down_proj{nullptr};
    SlidingClusters clusters{nullptr};

private:
    // Out-of-domain scores [T] and cluster indices [T] (undefined when clusters are not used
    // or not initialised yet); updates the clusters in training.
    std::pair<torch::Tensor, torch::Tensor> scoreAndTrack(const torch::Tensor &x,
                                                          const torch::Tensor &tokenMask);
    torch::Tensor mergedDelta(LoraBank &bank, const torch::Tensor &x, const torch::Tensor &w);

    AdapterConfig m_config;
    int64_t m_numLora, m_numIdentity;
    bool m_useClusters;
    RoutingStatsAccumulator m_stats;
    torch::Tensor m_lastAux, m_lastWeights;
    std::pair<torch::Tensor, torch::Tensor> m_lastScores; // d+ and cluster of the last forward
    RngState m_rngAfterScores; // checkpointed forwards: the random state after scoring
};
TORCH_MODULE(SlimMlp);

} // namespace slim::engine
