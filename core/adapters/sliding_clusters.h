#pragma once
// SLIM's sliding clustering and out-of-domain score (slim-method.md §2.1): N_c centres with
// per-channel variances track the downstream inputs by an exponential moving average during
// training; d+(u) = max(max_ch |u - c_idx| / (sigma_idx + eps) - 1, 0) measures how far an input
// lies from every centre. Centres and variances are buffers (saved, never trained).

#include "reports.h"

#include <torch/nn/module.h>
#include <torch/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace slim::engine {

struct ClusterOptions
{
    int64_t num_clusters = 8;
    double beta = 0.01;
    double eps = 1e-5;
    double sigma2_floor = 1e-6;
    bool standardised_distance = false; // assign by sum((u - c)^2 / sigma2)
    bool p99_statistic = false;         // d from the 99th percentile over channels, not the max
    bool kmeanspp_init = true;          // D^2 sampling from the first batch, else uniform
    int64_t reseed_after = 0;           // re-seed a cluster empty for this many updates; 0 = never
    // d = stat / tau - 1 with tau a running mean of the statistic over training inputs, instead
    // of the paper's d = stat - 1 (tau = 1). See core/README.md: with the max over hundreds of
    // channels, stat is about 3 for in-domain inputs, so the literal form yields every token.
    bool running_reference = true;
};



class SlidingClustersImpl : public torch::nn::Module
{
public:
    SlidingClustersImpl(int64_t dim, ClusterOptions options, int64_t layer = 0);

    // After the first true answer no host sync happens any more.
    bool initialised();
    // x: [N, d] float32, valid: [N] bool. Seeds the centres from valid rows (one host sync).
    void initialise(const torch::Tensor &x, const torch::Tensor &valid);
    // x: [N, d] -> nearest centre index [N] int64
    torch::Tensor assign(const torch::Tensor &x) const;
    // x: [N, d], idx: [N] -> max (or p99) over channels of |x - c_idx| / (sigma_idx + eps) [N]
    torch::Tensor deviation(const torch::Tensor &x, const torch::Tensor &idx) const;
    // x: [N, d], idx: [N] -> d+ = max(deviation / tau - 1, 0) [N]
    torch::Tensor dplus(const torch::Tensor &x, const torch::Tensor &idx) const;
    // (x - c_idx) / sigma_idx, for the standardised router input. [N, d]
    torch::Tensor standardise(const torch::Tensor &x, const torch::Tensor &idx) const;
    // One sliding update from the valid rows of x (no host sync).
    void update(const torch::Tensor &x, const torch::Tensor &idx, const torch::Tensor &valid);
    // Adds scored inputs to the d+ summary of the current report window (no host sync).
    void recordScores(const torch::Tensor &dplus, const torch::Tensor &valid);
    ClusterReport takeReport();

    torch::Tensor centres;     // [N_c, d]
    torch::Tensor sigma2;      // [N_c, d]
    torch::Tensor ready;       // [] 1 once initialised
    torch::Tensor reference;   // [] tau, the in-domain deviation (1 without running_reference)
    torch::Tensor empty_steps; // [N_c] consecutive updates without inputs

private:
    void ensureWindow(const torch::Tensor &like);
    ClusterOptions m_options;
    int64_t m_layer;
    bool m_knownReady = false;
    // Report window (not saved): sizes, d+ sums, histogram, centres at the last report.
    torch::Tensor m_sizes, m_dplusSum, m_dplusMax, m_dplusPositive, m_scored, m_histogram,
        m_centresAtReport;
};
TORCH_MODULE(SlidingClusters);

} // namespace slim::engine
