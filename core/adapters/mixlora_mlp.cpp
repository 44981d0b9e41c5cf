#include "mixlora_mlp.h"

#include "projection_mixture.h"

#include <torch/torch.h>

namespace slim::engine {

namespace F = torch::nn::functional;

MixLoraMlpImpl::MixLoraMlpImpl(const AdapterConfig &config, const MlpImpl &mlp, int64_t layer)
    : m_rule(config.method == AdapterMethod::MixLoraDy ? RoutingRule::TopP : RoutingRule::TopK)
    , m_topK(config.top_k)
    , m_topP(config.top_p)
    , m_aux(config.aux_loss_coef > 0)
    , m_stats(layer, "mlp", config.num_lora_experts)
{
    const auto device = mlp.gate_proj->weight.device();
    const auto d = mlp.gate_proj->inFeatures(), f = mlp.gate_proj->outFeatures();
    const auto n = config.num_lora_experts, r = config.lora_rank;
    const auto s = config.scaling();
    router = register_module("router", makeRouter(d, n, device));
    gate_proj = register_module("gate_proj", LoraBank(n, d, f, r, s, config.lora_dropout));
    up_proj = register_module("up_proj", LoraBank(n, d, f, r, s, config.lora_dropout));
    down_proj = register_module("down_proj", LoraBank(n, f, d, r, s, config.lora_dropout));
    gate_proj->to(device);
    up_proj->to(device);
    down_proj->to(device);
}

torch::Tensor MixLoraMlpImpl::forward(const torch::Tensor &u, const torch::Tensor &tokenMask,
                                      MlpImpl &mlp)
{
    const auto shape = u.sizes().vec();
    auto x = u.reshape({-1, shape.back()}); // [T, d]
    auto valid = tokenMask.defined() ? tokenMask.reshape({-1}) : torch::Tensor();
    auto routing = route(router(x.to(router->weight.scalar_type())), m_rule, m_topK, m_topP);
    m_stats.add(routing, valid);
    m_lastAux = m_aux && is_training() ? loadBalancingLoss(routing, valid) : torch::Tensor();

    auto weights = routing.weights.to(x.scalar_type());
    if (valid.defined())
        weights = weights * valid.to(weights.scalar_type()).unsqueeze(-1);
    // The frozen gate/up projections are shared by all experts: compute them once.
    auto gateBase = mlp.gate_proj->baseForward(x);
    auto upBase = mlp.up_proj->baseForward(x);
    auto out = torch::zeros_like(x);
    for (int64_t e = 0; e < gate_proj->numExperts(); ++e) {
        auto rows = (weights.select(1, e) > 0).nonzero().squeeze(1);
        if (rows.numel() == 0)
            continue;
        auto xe = x.index_select(0, rows);
        auto gate = gateBase.index_select(0, rows) + gate_proj->expertDelta(e, xe);
        auto up = upBase.index_select(0, rows) + up_proj->expertDelta(e, xe);
        auto h = F::silu(gate) * up;
        auto y = mlp.down_proj->baseForward(h) + down_proj->expertDelta(e, h);
        out = out.index_add(0, rows, y * weights.index_select(0, rows).select(1, e).unsqueeze(1));
    }
    return out.view(shape);
}

void MixLoraMlpImpl::foldInto(MlpImpl &mlp, const std::vector<double> &weights) const
{
    gate_proj->foldInto(mlp.gate_proj->weight, weights, 1.0);
    up_proj->foldInto(mlp.up_proj->weight, weights, 1.0);
    down_proj->foldInto(mlp.down_proj->weight, weights, 1.0);
}

} // namespace slim::engine
