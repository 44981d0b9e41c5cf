#pragma once
// Router outputs to mixture weights (top-K with renormalisation, top-p, dense softmax), the
// Mixtral load-balancing loss, and the per-layer routing statistics users watch.

#include "reports.h"

#include <torch/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace slim::engine {

enum class RoutingRule { TopK, TopP, Dense };

struct Routing
{
    torch::Tensor weights; // [T, E] non-negative, sums to 1 over the chosen experts, 0 elsewhere
    torch::Tensor probs;   // [T, E] softmax over all experts (before selection)
};

// logits: [T, E] (any float dtype; routing is done in float32).
// TopK: softmax over the K largest logits. TopP: the smallest set of experts, by descending
// probability, whose probability reaches p, renormalised. Dense: the full softmax.
Routing route(const torch::Tensor &logits, RoutingRule rule, int64_t k, double p);

// Mixtral / Switch load-balancing loss: E * sum_i f_i * P_i, with f_i the share of tokens that
// selected expert i and P_i its mean router probability. validMask: [T] bool or undefined.
torch::Tensor loadBalancingLoss(const Routing &routing, const torch::Tensor &validMask);

// LoRAMoE's localized balancing constraint, unweighted, as LoRAMoE's code computes it. The
// importance Q[b][n] is expert n's routing weight summed over the real tokens of sample b
// (weights: [rows * S, N]; validMask: [rows * S] bool or undefined). Z = Q scaled by
// 1 + delta where the expert's group (first half of the experts: world knowledge, second half:
// downstream tasks; with an odd count the middle expert joins the second) matches the sample's
// type (sampleTypes: [rows], 1 = knowledge, 0 = downstream), else by 1 - delta. Returns var(Z) / (mean(Z)^2 + 1e-10) over all entries
// (unbiased variance): the squared coefficient of variation.
torch::Tensor localizedBalancingLoss(const torch::Tensor &weights, int64_t rows,
                                     const torch::Tensor &validMask,
                                     const torch::Tensor &sampleTypes, double delta);



// Accumulates routing statistics on the routing device without host synchronisation; take()
// copies them to the host (one sync) and starts a new window. Not thread-safe.
class RoutingStatsAccumulator
{
public:
    // The last `numIdentityTrailing` experts are identity experts. Load is measured by
    // selections, or by routing weight for dense routers (where every expert is selected).
    RoutingStatsAccumulator(int64_t layer, std::string site, int64_t numExperts,
                            int64_t numIdentityTrailing = 0, bool loadFromWeights = false);
    // routing: [T, E]; validMask: [T] bool or undefined.
    void add(const Routing &routing, const torch::Tensor &validMask);
    RoutingReport take();

private:
    int64_t m_layer;
    std::string m_site;
    int64_t m_experts;
    int64_t m_identity;
    bool m_loadFromWeights;
    torch::Tensor m_tokens, m_weightSum, m_selectSum, m_entropySum, m_fullIdentity;
};

} // namespace slim::engine
