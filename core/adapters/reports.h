#pragma once
// Host-side statistics reported by the mixture layers. Plain std types, no torch: the run
// store, the recorder and the GUI use them without LibTorch headers.

#include <cstdint>
#include <string>
#include <vector>

namespace slim::engine {

// What one router did since the last report. Host values.
struct RoutingReport
{
    int64_t layer = 0;
    std::string site;             // "mlp" for block routers, else the projection ("q_proj")
    int64_t tokens = 0;           // routed (non-pad) tokens
    std::vector<double> mean_weight;      // [E] mean final routing weight
    std::vector<double> selection_share;  // [E] share of all selections
    std::vector<bool> is_identity;        // [E]
    double identity_mass = 0;       // mean total weight on identity experts
    double full_identity_rate = 0;  // share of tokens whose chosen experts are all identity
    double router_entropy = 0;      // mean entropy (nats) of the full router softmax
    double load_cv2 = 0;            // squared coefficient of variation of expert load
};

// Cluster state since the last report. Host values.
struct ClusterReport
{
    int64_t layer = 0;
    int64_t dim = 0;
    bool initialised = false;
    std::vector<float> centres;        // [N_c * dim], row-major
    std::vector<double> mean_sigma;    // [N_c] mean over channels of sigma
    std::vector<int64_t> sizes;        // [N_c] inputs assigned since the last report (training)
    std::vector<double> drift;         // [N_c] ||c_now - c_at_last_report||
    int64_t scored = 0;                // inputs scored since the last report
    double dplus_mean = 0, dplus_max = 0, dplus_positive_share = 0;
    double reference = 1;              // tau: d = deviation / tau - 1
    std::vector<int64_t> dplus_histogram; // kHistogramBins bins over [0, kHistogramMax)
    static constexpr int64_t kHistogramBins = 40;
    static constexpr double kHistogramMax = 20.0; // last bin also counts everything above
};

} // namespace slim::engine
