#pragma once
// Observer events as run-store rows: the one conversion, used by the recorder (to write them)
// and by the GUI's MetricStream (to plot a live run exactly as it will be read back).

#include "events/run_observer.h"
#include "store/run_records.h"

#include <vector>

namespace slim::store {

std::vector<MetricRow> toMetricRows(const std::vector<engine::MetricSample> &samples);

struct RoutingRows
{
    std::vector<RoutingLayerRow> layers;
    std::vector<RoutingExpertRow> experts;
};
RoutingRows toRoutingRows(std::int64_t step, const std::string &probe,
                          const std::vector<engine::RoutingReport> &reports);

// Centres are taken from training reports only (they move only in training).
struct ClusterRows
{
    std::vector<ClusterLayerRow> layers;
    std::vector<ClusterCentreRow> centres;
};
ClusterRows toClusterRows(std::int64_t step, const std::string &probe,
                          const std::vector<engine::ClusterReport> &reports);

std::vector<EvalRow> toEvalRows(const std::vector<engine::EvalRecord> &records);

} // namespace slim::store
