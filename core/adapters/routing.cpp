#include "routing.h"

#include "model/forward_scope.h"

#include <torch/torch.h>

namespace slim::engine {

Routing route(const torch::Tensor &logits, RoutingRule rule, int64_t k, double p)
{
    Routing r;
    // Float32 at least (routers are fp32); double stays double for gradient checks.
    auto z = logits.scalar_type() == torch::kDouble ? logits : logits.to(torch::kFloat);
    r.probs = torch::softmax(z, -1);
    switch (rule) {
    case RoutingRule::Dense:
        r.weights = r.probs;
        break;
    case RoutingRule::TopK: {
        auto [values, indices] = z.topk(k, -1);
        r.weights = torch::zeros_like(z).scatter(-1, indices, torch::softmax(values, -1));
        break;
    }
    case RoutingRule::TopP: {
        auto [sorted, order] = r.probs.sort(-1, true);
        // Keep an expert while the experts before it have not reached p yet.
        auto before = sorted.cumsum(-1) - sorted;
        auto keep = (before < p).to(sorted.scalar_type());
        auto kept = sorted * keep;
        kept = kept / kept.sum(-1, true);
        r.weights = torch::zeros_like(z).scatter(-1, order, kept);
        break;
    }
    }
    return r;
}

torch::Tensor loadBalancingLoss(const Routing &routing, const torch::Tensor &validMask)
{
    auto selected = (routing.weights > 0).to(torch::kFloat);
    auto probs = routing.probs;
    if (validMask.defined()) {
        auto v = validMask.to(torch::kFloat).unsqueeze(-1);
        auto n = v.sum().clamp_min(1.0);
        auto f = (selected * v).sum(0) / n;
        auto P = (probs * v).sum(0) / n;
        return double(probs.size(-1)) * (f * P).sum();
    }
    return double(probs.size(-1)) * (selected.mean(0) * probs.mean(0)).sum();
}

torch::Tensor localizedBalancingLoss(const torch::Tensor &weights, int64_t rows,
                                     const torch::Tensor &validMask,
                                     const torch::Tensor &sampleTypes, double delta)
{
    const auto experts = weights.size(-1);
    auto w = weights.to(torch::kFloat);
    if (validMask.defined())
        w = w * validMask.to(torch::kFloat).unsqueeze(-1);
    auto importance = w.view({rows, -1, experts}).sum(1); // [rows, N]
    auto knowledgeSample = (sampleTypes.view({rows, 1}) == 1).to(weights.device());
    auto knowledgeExpert = (torch::arange(experts, weights.device()) < experts / 2).view({1, -1});
    auto coefficient = torch::where(knowledgeSample == knowledgeExpert,
                                    torch::full({}, 1.0 + delta, w.options()),
                                    torch::full({}, 1.0 - delta, w.options()));
    auto z = (importance * coefficient).flatten();
    if (z.numel() < 2)
        return torch::zeros({}, w.options());
    return z.var() / (z.mean().pow(2) + 1e-10);
}

RoutingStatsAccumulator::RoutingStatsAccumulator(int64_t layer, std::string site,
                                                 int64_t numExperts, int64_t numIdentityTrailing,
                                                 bool loadFromWeights)
    : m_layer(layer)
    , m_site(std::move(site))
    , m_experts(numExperts)
    , m_identity(numIdentityTrailing)
    , m_loadFromWeights(loadFromWeights)
{}

void RoutingStatsAccumulator::add(const Routing &routing, const torch::Tensor &validMask)
{
    if (ReplayScope::active()) // a checkpointed layer's replay: counted once already
        return;
    torch::NoGradGuard noGrad;
    auto w = routing.weights.detach();
    auto probs = routing.probs.detach();
    auto v = validMask.defined() ? validMask.to(torch::kFloat).unsqueeze(-1)
                                 : torch::ones({w.size(0), 1}, w.options());
    if (!m_tokens.defined()) {
        auto opts = w.options().dtype(torch::kDouble);
        m_tokens = torch::zeros({}, opts);
        m_weightSum = torch::zeros({m_experts}, opts);
        m_selectSum = torch::zeros({m_experts}, opts);
        m_entropySum = torch::zeros({}, opts);
        m_fullIdentity = torch::zeros({}, opts);
    }
    m_tokens += v.sum();
    m_weightSum += (w * v).sum(0);
    m_selectSum += ((w > 0).to(w.scalar_type()) * v).sum(0);
    auto entropy = -(probs * torch::log(probs.clamp_min(1e-12))).sum(-1, true);
    m_entropySum += (entropy * v).sum();
    if (m_identity > 0) {
        auto loraMass = w.slice(-1, 0, m_experts - m_identity).sum(-1, true);
        m_fullIdentity += ((loraMass <= 0).to(w.scalar_type()) * v).sum();
    }
}

RoutingReport RoutingStatsAccumulator::take()
{
    RoutingReport report;
    report.layer = m_layer;
    report.site = m_site;
    report.mean_weight.assign(m_experts, 0.0);
    report.selection_share.assign(m_experts, 0.0);
    report.is_identity.assign(m_experts, false);
    for (int64_t i = m_experts - m_identity; i < m_experts; ++i)
        report.is_identity[i] = true;
    if (!m_tokens.defined())
        return report;
    // One device-to-host copy for everything.
    auto packed = torch::cat({m_tokens.view({1}), m_entropySum.view({1}),
                              m_fullIdentity.view({1}), m_weightSum, m_selectSum})
                      .cpu();
    auto a = packed.accessor<double, 1>();
    const double tokens = a[0];
    report.tokens = int64_t(tokens);
    if (tokens > 0) {
        report.router_entropy = a[1] / tokens;
        report.full_identity_rate = a[2] / tokens;
        double selections = 0, loadMean = 0, loadSq = 0;
        for (int64_t i = 0; i < m_experts; ++i)
            selections += a[3 + m_experts + i];
        for (int64_t i = 0; i < m_experts; ++i) {
            report.mean_weight[i] = a[3 + i] / tokens;
            report.selection_share[i] = selections > 0 ? a[3 + m_experts + i] / selections : 0;
            if (report.is_identity[i])
                report.identity_mass += report.mean_weight[i];
            const double load = m_loadFromWeights ? report.mean_weight[i]
                                                  : report.selection_share[i];
            loadMean += load / double(m_experts);
            loadSq += load * load / double(m_experts);
        }
        report.load_cv2 = loadMean > 0 ? (loadSq - loadMean * loadMean) / (loadMean * loadMean)
                                       : 0;
    }
    m_tokens = torch::Tensor();
    return report;
}

} // namespace slim::engine
