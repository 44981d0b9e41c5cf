#include "event_rows.h"

#include <cmath>

namespace slim::store {

std::vector<MetricRow> toMetricRows(const std::vector<engine::MetricSample> &samples)
{
    std::vector<MetricRow> rows;
    rows.reserve(samples.size());
    for (const auto &s : samples)
        rows.push_back({s.step, s.name, s.value});
    return rows;
}

RoutingRows toRoutingRows(std::int64_t step, const std::string &probe,
                          const std::vector<engine::RoutingReport> &reports)
{
    RoutingRows out;
    for (const auto &r : reports) {
        out.layers.push_back({step, probe, r.layer, r.site, r.tokens, r.identity_mass,
                              r.full_identity_rate, r.router_entropy, r.load_cv2});
        for (size_t e = 0; e < r.mean_weight.size(); ++e)
            out.experts.push_back({step, probe, r.layer, r.site, std::int64_t(e),
                                   bool(r.is_identity[e]), r.mean_weight[e],
                                   r.selection_share[e]});
    }
    return out;
}

ClusterRows toClusterRows(std::int64_t step, const std::string &probe,
                          const std::vector<engine::ClusterReport> &reports)
{
    ClusterRows out;
    for (const auto &r : reports) {
        ClusterLayerRow row;
        row.step = step;
        row.probe = probe;
        row.layer = r.layer;
        row.scored = r.scored;
        row.dplusMean = r.dplus_mean;
        row.dplusMax = r.dplus_max;
        row.dplusPositiveShare = r.dplus_positive_share;
        row.reference = r.reference;
        row.dplusHistogram = r.dplus_histogram;
        row.histogramMax = engine::ClusterReport::kHistogramMax;
        out.layers.push_back(row);
        if (probe != "train")
            continue;
        for (size_t c = 0; c < r.sizes.size(); ++c) {
            ClusterCentreRow centre;
            centre.step = step;
            centre.layer = r.layer;
            centre.cluster = std::int64_t(c);
            centre.size = r.sizes[c];
            centre.drift = r.drift[c];
            centre.meanSigma = r.mean_sigma[c];
            centre.centre.assign(r.centres.begin() + std::ptrdiff_t(c * size_t(r.dim)),
                                 r.centres.begin() + std::ptrdiff_t((c + 1) * size_t(r.dim)));
            out.centres.push_back(std::move(centre));
        }
    }
    return out;
}

std::vector<EvalRow> toEvalRows(const std::vector<engine::EvalRecord> &records)
{
    std::vector<EvalRow> rows;
    rows.reserve(records.size());
    for (const auto &r : records) {
        EvalRow row;
        row.step = r.step;
        row.task = r.task;
        row.split = r.split;
        row.metric = r.metric;
        row.value = r.value;
        if (std::isfinite(r.stderr_))
            row.stderr_ = r.stderr_;
        row.n = r.n;
        row.mode = r.mode;
        row.templateHash = r.template_hash;
        row.shots = r.shots;
        row.taskVersion = r.task_version;
        row.isFinal = r.is_final;
        row.floor = r.floor;
        row.kind = r.general ? TaskKind::General : TaskKind::Downstream;
        rows.push_back(row);
    }
    return rows;
}

} // namespace slim::store
