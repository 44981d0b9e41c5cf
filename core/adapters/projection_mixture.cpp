#include "projection_mixture.h"

#include "model/forward_scope.h"

#include <torch/torch.h>

namespace slim::engine {

torch::nn::Linear makeRouter(int64_t inFeatures, int64_t numExperts, torch::Device device)
{
    torch::nn::Linear router(torch::nn::LinearOptions(inFeatures, numExperts).bias(false));
    torch::NoGradGuard noGrad;
    router->weight.normal_(0.0, 0.02);
    router->to(device, torch::kFloat);
    return router;
}

ProjectionMixtureImpl::ProjectionMixtureImpl(const AdaptableLinearImpl &base,
                                             ProjectionMixtureOptions options, int64_t layer,
                                             const std::string &site)
    : m_options(options)
    , m_layer(layer)
    , m_site(site)
    , m_stats(layer, site, options.num_experts, 0, options.rule == RoutingRule::Dense)
{
    const auto device = base.weight.device();
    router = register_module("router", makeRouter(base.inFeatures(), options.num_experts, device));
    bank = register_module("bank", LoraBank(options.num_experts, base.inFeatures(),
                                            base.outFeatures(), options.rank, options.scaling,
                                            options.dropout));
    bank->to(device);
}

torch::Tensor ProjectionMixtureImpl::forward(const torch::Tensor &x,
                                             const AdaptableLinearImpl &base)
{
    auto flat = x.reshape({-1, x.size(-1)}); // [T, C_in]
    auto valid = ForwardScope::currentTokenMask(flat.size(0));
    auto routing = route(router(flat.to(router->weight.scalar_type())), m_options.rule, m_options.top_k,
                         m_options.top_p);
    m_stats.add(routing, valid);
    m_lastAux = torch::Tensor();
    if (is_training() && m_options.balance_delta >= 0) {
        // Every built-in training example is downstream data (type 0): none of it is the
        // world-knowledge data LoRAMoE's first expert group is kept for.
        const auto rows = x.dim() == 3 ? x.size(0) : int64_t(1);
        m_lastAux = localizedBalancingLoss(routing.weights, rows, valid,
                                           torch::zeros({rows}, torch::kLong),
                                           m_options.balance_delta);
    } else if (is_training() && m_options.aux_loss) {
        m_lastAux = loadBalancingLoss(routing, valid);
    }
    auto delta = bank->delta(flat, routing.weights);
    auto outShape = x.sizes().vec();
    outShape.back() = base.outFeatures();
    return base.baseForward(x) + delta.view(outShape);
}

void ProjectionMixtureImpl::foldInto(AdaptableLinearImpl &base,
                                     const std::vector<double> &weights) const
{
    bank->foldInto(base.weight, weights, 1.0);
}

} // namespace slim::engine
