#include "sliding_clusters.h"

#include <torch/torch.h>

namespace slim::engine {

SlidingClustersImpl::SlidingClustersImpl(int64_t dim, ClusterOptions options, int64_t layer)
    : m_options(options)
    , m_layer(layer)
{
    centres = register_buffer("centres", torch::zeros({options.num_clusters, dim}));
    sigma2 = register_buffer("sigma2", torch::ones({options.num_clusters, dim}));
    ready = register_buffer("ready", torch::zeros({}));
    reference = register_buffer("reference", torch::ones({}));
    empty_steps = register_buffer("empty_steps", torch::zeros({options.num_clusters}));
}

bool SlidingClustersImpl::initialised()
{
    if (!m_knownReady)
        m_knownReady = ready.item<float>() > 0;
    return m_knownReady;
}

void SlidingClustersImpl::initialise(const torch::Tensor &x, const torch::Tensor &valid)
{
    torch::NoGradGuard noGrad;
    auto rows = x.detach().to(centres.scalar_type()).index({valid.to(torch::kBool)}); // [M, d]
    TORCH_CHECK(rows.size(0) > 0, "sliding clustering: the first batch has no real tokens");
    const auto nc = centres.size(0);
    auto picks = torch::empty({nc}, torch::TensorOptions().dtype(torch::kLong).device(x.device()));
    auto uniform = torch::ones({rows.size(0)}, rows.options());
    picks[0] = torch::multinomial(uniform, 1).squeeze();
    auto nearest = (rows - rows[picks[0].item<int64_t>()]).pow(2).sum(-1);
    for (int64_t j = 1; j < nc; ++j) {
        // D^2 sampling spreads the seeds over the modes of the batch (k-means++).
        auto weights = m_options.kmeanspp_init ? nearest + 1e-12 : uniform;
        picks[j] = torch::multinomial(weights, 1).squeeze();
        nearest = torch::minimum(nearest, (rows - rows[picks[j].item<int64_t>()]).pow(2).sum(-1));
    }
    centres.copy_(rows.index_select(0, picks));
    auto var = rows.size(0) > 1 ? rows.var(0, false) : torch::ones({rows.size(1)}, rows.options());
    sigma2.copy_(var.clamp_min(m_options.sigma2_floor).unsqueeze(0).expand_as(sigma2));
    empty_steps.zero_();
    if (m_options.running_reference)
        reference.copy_(deviation(rows, assign(rows)).mean());
    ready.fill_(1);
    m_knownReady = true;
}

torch::Tensor SlidingClustersImpl::assign(const torch::Tensor &x) const
{
    auto xf = x.to(centres.scalar_type());
    torch::Tensor dist;
    if (m_options.standardised_distance) {
        auto inv = 1.0 / sigma2;                                      // [Nc, d]
        dist = torch::matmul(xf.pow(2), inv.t()) - 2 * torch::matmul(xf, (centres * inv).t())
               + (centres.pow(2) * inv).sum(-1).unsqueeze(0);
    } else {
        dist = xf.pow(2).sum(-1, true) - 2 * torch::matmul(xf, centres.t())
               + centres.pow(2).sum(-1).unsqueeze(0);
    }
    return dist.argmin(-1);
}

torch::Tensor SlidingClustersImpl::deviation(const torch::Tensor &x,
                                             const torch::Tensor &idx) const
{
    auto z = (x.to(centres.scalar_type()) - centres.index_select(0, idx)).abs()
             / (sigma2.index_select(0, idx).sqrt() + m_options.eps);
    return m_options.p99_statistic ? torch::quantile(z, 0.99, -1) : std::get<0>(z.max(-1));
}

torch::Tensor SlidingClustersImpl::dplus(const torch::Tensor &x, const torch::Tensor &idx) const
{
    return (deviation(x, idx) / reference - 1.0).clamp_min(0.0);
}

torch::Tensor SlidingClustersImpl::standardise(const torch::Tensor &x,
                                               const torch::Tensor &idx) const
{
    return (x.to(centres.scalar_type()) - centres.index_select(0, idx))
           / (sigma2.index_select(0, idx).sqrt() + m_options.eps);
}

void SlidingClustersImpl::update(const torch::Tensor &x, const torch::Tensor &idx,
                                 const torch::Tensor &valid)
{
    torch::NoGradGuard noGrad;
    ensureWindow(x);
    const auto nc = centres.size(0);
    auto xf = x.detach().to(centres.scalar_type());
    auto onehot = torch::one_hot(idx, nc).to(centres.scalar_type()) * valid.to(centres.scalar_type()).unsqueeze(-1);
    auto counts = onehot.sum(0);                                  // [Nc]
    auto safe = counts.clamp_min(1.0).unsqueeze(-1);
    auto mu = torch::matmul(onehot.t(), xf) / safe;               // [Nc, d]
    auto v = (torch::matmul(onehot.t(), xf.pow(2)) / safe - mu.pow(2)).clamp_min(0.0);
    const double beta = m_options.beta;
    auto newCentres = (1 - beta) * centres + beta * mu;
    auto newSigma2 = ((1 - beta) * sigma2 + beta * (v + (mu - centres).pow(2)))
                         .clamp_min(m_options.sigma2_floor);
    auto has = (counts > 0).unsqueeze(-1);                        // empty clusters are skipped
    centres.copy_(torch::where(has, newCentres, centres));
    sigma2.copy_(torch::where(has, newSigma2, sigma2));
    empty_steps.copy_(torch::where(counts > 0, torch::zeros_like(empty_steps), empty_steps + 1));
    m_sizes += counts.to(torch::kDouble);
    if (m_options.running_reference) {
        // tau follows the mean deviation of the training inputs from their updated centres.
        auto dev = deviation(xf, idx);
        auto vf = valid.to(dev.scalar_type());
        auto batchMean = (dev * vf).sum() / vf.sum().clamp_min(1.0);
        auto any = vf.sum() > 0;
        reference.copy_(torch::where(any, (1 - beta) * reference + beta * batchMean, reference));
    }

    if (m_options.reseed_after > 0) {
        // Move clusters starved for too long onto random real inputs of this batch.
        auto starved = (empty_steps >= double(m_options.reseed_after)).unsqueeze(-1);
        auto pickWeights = valid.to(centres.scalar_type()) + 1e-12;
        auto picks = torch::multinomial(pickWeights, nc, true);
        centres.copy_(torch::where(starved, xf.index_select(0, picks), centres));
        empty_steps.masked_fill_(starved.squeeze(-1), 0);
    }
}

void SlidingClustersImpl::ensureWindow(const torch::Tensor &like)
{
    if (m_sizes.defined() && m_sizes.device() == like.device())
        return;
    auto opts = torch::TensorOptions().dtype(torch::kDouble).device(like.device());
    m_sizes = torch::zeros({centres.size(0)}, opts);
    m_dplusSum = torch::zeros({}, opts);
    m_dplusMax = torch::zeros({}, opts);
    m_dplusPositive = torch::zeros({}, opts);
    m_scored = torch::zeros({}, opts);
    m_histogram = torch::zeros({ClusterReport::kHistogramBins}, opts);
    if (!m_centresAtReport.defined() || m_centresAtReport.device() != like.device())
        m_centresAtReport = centres.detach().clone();
}

void SlidingClustersImpl::recordScores(const torch::Tensor &dplus, const torch::Tensor &valid)
{
    torch::NoGradGuard noGrad;
    ensureWindow(dplus);
    auto v = valid.to(torch::kDouble);
    auto d = dplus.detach().to(torch::kDouble);
    m_scored += v.sum();
    m_dplusSum += (d * v).sum();
    m_dplusMax = torch::maximum(m_dplusMax, (d * v).max());
    m_dplusPositive += ((d > 0).to(torch::kDouble) * v).sum();
    // Pad rows go to -1, outside histc's range; the overflow lands in the last bin.
    auto binned = torch::where(valid.to(torch::kBool),
                               d.clamp_max(ClusterReport::kHistogramMax - 1e-6),
                               torch::full_like(d, -1.0));
    m_histogram += torch::histc(binned.to(centres.scalar_type()), ClusterReport::kHistogramBins, 0,
                                ClusterReport::kHistogramMax)
                       .to(torch::kDouble);
}

ClusterReport SlidingClustersImpl::takeReport()
{
    torch::NoGradGuard noGrad;
    ensureWindow(centres);
    ClusterReport r;
    r.layer = m_layer;
    r.dim = centres.size(1);
    r.initialised = initialised();
    auto c = centres.detach().cpu().contiguous();
    r.centres.assign(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
    auto sigma = sigma2.sqrt().mean(-1).to(torch::kDouble).cpu();
    auto drift = (centres - m_centresAtReport).pow(2).sum(-1).sqrt().to(torch::kDouble).cpu();
    auto sizes = m_sizes.cpu();
    auto hist = m_histogram.cpu();
    for (int64_t j = 0; j < centres.size(0); ++j) {
        r.mean_sigma.push_back(sigma[j].item<double>());
        r.drift.push_back(drift[j].item<double>());
        r.sizes.push_back(int64_t(sizes[j].item<double>()));
    }
    for (int64_t b = 0; b < ClusterReport::kHistogramBins; ++b)
        r.dplus_histogram.push_back(int64_t(hist[b].item<double>()));
    r.scored = int64_t(m_scored.item<double>());
    if (r.scored > 0) {
        r.dplus_mean = m_dplusSum.item<double>() / double(r.scored);
        r.dplus_positive_share = m_dplusPositive.item<double>() / double(r.scored);
    }
    r.dplus_max = m_dplusMax.item<double>();
    r.reference = reference.item<double>();
    m_centresAtReport = centres.detach().clone();
    m_sizes = torch::Tensor(); // a new window starts at the next update or score
    ensureWindow(centres);
    return r;
}

} // namespace slim::engine
