#include "slim_mlp.h"

#include "model/forward_scope.h"
#include "train/rng_state.h"

#include "projection_mixture.h"

#include <torch/torch.h>

namespace slim::engine {

namespace F = torch::nn::functional;

namespace {

ClusterOptions clusterOptions(const AdapterConfig &c)
{
    ClusterOptions o;
    o.num_clusters = c.num_clusters;
    o.beta = c.cluster_beta;
    o.eps = c.cluster_eps;
    o.sigma2_floor = c.sigma2_floor;
    o.standardised_distance = c.cluster_distance == "standardised";
    o.p99_statistic = c.ood_statistic == "p99";
    o.running_reference = c.ood_reference == "running";
    o.kmeanspp_init = c.cluster_init == "kmeans++";
    o.reseed_after = c.cluster_reseed_after;
    return o;
}

} // namespace

SlimMlpImpl::SlimMlpImpl(const AdapterConfig &config, const MlpImpl &mlp, int64_t layer)
    : m_config(config)
    , m_numLora(config.num_lora_experts)
    , m_numIdentity(config.num_identity_experts)
    , m_useClusters((config.weight_yielding && config.num_identity_experts > 0)
                    || config.router_input == "standardised")
    , m_stats(layer, "mlp", config.num_lora_experts + config.num_identity_experts,
              config.num_identity_experts)
{
    const auto device = mlp.gate_proj->weight.device();
    const auto d = mlp.gate_proj->inFeatures(), f = mlp.gate_proj->outFeatures();
    const auto r = config.lora_rank;
    const auto s = config.scaling();
    router = register_module("router", makeRouter(d, m_numLora + m_numIdentity, device));
    gate_proj = register_module("gate_proj", LoraBank(m_numLora, d, f, r, s, config.lora_dropout));
    up_proj = register_module("up_proj", LoraBank(m_numLora, d, f, r, s, config.lora_dropout));
    down_proj = register_module("down_proj", LoraBank(m_numLora, f, d, r, s, config.lora_dropout));
    clusters = register_module("clusters", SlidingClusters(d, clusterOptions(config), layer));
    gate_proj->to(device);
    up_proj->to(device);
    down_proj->to(device);
    clusters->to(device);
}

std::pair<torch::Tensor, torch::Tensor> SlimMlpImpl::scoreAndTrack(const torch::Tensor &x,
                                                                   const torch::Tensor &tokenMask)
{
    if (!m_useClusters)
        return {};
    torch::NoGradGuard noGrad; // clusters and d+ carry no gradient
    const auto b = tokenMask.size(0), s = tokenMask.size(1);
    const bool perSequence = m_config.cluster_granularity == "sequence";
    auto feats = x.detach().to(clusters->centres.scalar_type());
    auto valid = tokenMask.reshape({-1});
    if (perSequence) {
        // One mean-pooled input per sequence.
        auto m = tokenMask.to(feats.scalar_type()).unsqueeze(-1); // [B, S, 1]
        feats = (feats.view({b, s, -1}) * m).sum(1) / m.sum(1).clamp_min(1.0);
        valid = tokenMask.any(1);
    }
    if (!clusters->initialised()) {
        if (!is_training())
            return {}; // nothing learnt yet: no yielding
        clusters->initialise(feats, valid);
    }
    auto idx = clusters->assign(feats);
    auto dplus = clusters->dplus(feats, idx);
    clusters->recordScores(dplus, valid);
    if (is_training())
        clusters->update(feats, idx, valid);
    if (perSequence) {
        dplus = dplus.unsqueeze(1).expand({b, s}).reshape({-1});
        idx = idx.unsqueeze(1).expand({b, s}).reshape({-1});
    }
    return {dplus, idx};
}

torch::Tensor SlimMlpImpl::mergedDelta(LoraBank &bank, const torch::Tensor &x,
                                       const torch::Tensor &w)
{
    DropSettings drop{m_config.drop_rate, m_config.dare_rescale};
    MaskMode mode = is_training() ? MaskMode::Sample : maskModeFromName(m_config.inference_mask);
    if (m_config.merge == "off")
        mode = MaskMode::None;
    const auto opts = x.options();
    if (m_config.merge == "naive") {
        auto dense = naiveMask(m_numLora, bank->inFeatures(), bank->outFeatures(), drop, mode, opts);
        return bank->naiveDelta(x, w, dense.mask, dense.factor);
    }
    return bank->delta(x, w,
                       fastMasks(m_numLora, bank->inFeatures(), bank->outFeatures(), drop, mode,
                                 opts));
}

torch::Tensor SlimMlpImpl::forward(const torch::Tensor &u, const torch::Tensor &tokenMask,
                                   MlpImpl &mlp)
{
    const auto shape = u.sizes().vec();
    auto x = u.reshape({-1, shape.back()}); // [T, d]
    auto mask = tokenMask.defined()
                    ? tokenMask
                    : torch::ones({shape[0], shape[1]},
                                  torch::TensorOptions().dtype(torch::kBool).device(u.device()));
    auto valid = mask.reshape({-1});
    // A checkpointed layer's replay reuses the original forward's d+ and assignment: the
    // clusters moved after it, and must not move twice.
    const bool replay = ReplayScope::active();
    auto [dplus, idx] = replay ? m_lastScores : scoreAndTrack(x, mask);
    m_lastScores = {dplus, idx};
    // Cluster seeding draws random numbers: the replay continues from where the original
    // forward was after it, so the merge masks it samples are the same.
    if (replay)
        restoreRng(m_rngAfterScores);
    else if (CheckpointScope::active())
        m_rngAfterScores = captureRng();

    auto routerInput = m_config.router_input == "standardised" && idx.defined()
                           ? clusters->standardise(x, idx)
                           : x;
    routerInput = routerInput.to(router->weight.scalar_type());
    auto logits = router(routerInput); // [T, E]
    if (m_config.weight_yielding && m_numIdentity > 0 && dplus.defined()) {
        // Yield: identity experts gain gamma * d+, equivalent to lowering every LoRA logit.
        auto isIdentity = torch::cat({torch::zeros({m_numLora}, logits.options()),
                                      torch::ones({m_numIdentity}, logits.options())});
        logits = logits + m_config.yield_gamma * dplus.unsqueeze(-1) * isIdentity;
    }
    auto routing = route(logits, RoutingRule::TopK, m_config.top_k, 1.0);
    m_stats.add(routing, valid);
    m_lastWeights = routing.weights.detach();
    m_lastAux = m_config.aux_loss_coef > 0 && is_training() ? loadBalancingLoss(routing, valid)
                                                            : torch::Tensor();
    auto w = routing.weights.slice(-1, 0, m_numLora); // identity experts add nothing

    auto gate = mlp.gate_proj->baseForward(x) + mergedDelta(gate_proj, x, w);
    auto up = mlp.up_proj->baseForward(x) + mergedDelta(up_proj, x, w);
    auto h = F::silu(gate) * up;
    auto out = mlp.down_proj->baseForward(h) + mergedDelta(down_proj, h, w);
    return out.view(shape);
}

void SlimMlpImpl::foldInto(MlpImpl &mlp, const std::vector<double> &weights) const
{
    if (int64_t(weights.size()) != m_numLora + m_numIdentity)
        throw std::invalid_argument("routing: " + std::to_string(weights.size())
                                    + " weights for " + std::to_string(m_numLora + m_numIdentity)
                                    + " experts (LoRA experts, then identity experts)");
    const std::vector<double> lora(weights.begin(), weights.begin() + m_numLora);
    // The expectation of the merge masks: (1 - p), or 1 with DARE's rescale or without masks.
    const bool masked = m_config.merge != "off" && m_config.inference_mask != "none";
    const double factor = masked ? naiveMask(1, 1, 1, {m_config.drop_rate, m_config.dare_rescale},
                                             MaskMode::Expected, torch::TensorOptions())
                                       .factor
                                 : 1.0;
    gate_proj->foldInto(mlp.gate_proj->weight, lora, factor);
    up_proj->foldInto(mlp.up_proj->weight, lora, factor);
    down_proj->foldInto(mlp.down_proj->weight, lora, factor);
}

torch::Tensor SlimMlpImpl::l1() const
{
    return gate_proj->l1() + up_proj->l1() + down_proj->l1();
}

} // namespace slim::engine
