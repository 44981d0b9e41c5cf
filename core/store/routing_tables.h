#pragma once
// The routing table family of the run store: routing_layer_stats, routing_expert_stats,
// cluster_layer_stats and cluster_centres.

#include "store/database.h"
#include "store/run_records.h"

#include <cstdint>
#include <string>
#include <vector>

namespace slim::store {

// What the routers and the sliding clusters did, per report. Part of RunStore, whose rules it
// follows (thread affinity, one transaction per write, StoreError when the run does not
// exist); borrows a migrated Database that must outlive it.
class RoutingTables
{
public:
    explicit RoutingTables(Database &db)
        : m_db(&db)
    { }

    // The appends replace rows with the same key.
    void appendRoutingLayerStats(std::int64_t runId, const std::vector<RoutingLayerRow> &rows);
    void appendRoutingExpertStats(std::int64_t runId, const std::vector<RoutingExpertRow> &rows);
    void appendClusterLayerStats(std::int64_t runId, const std::vector<ClusterLayerRow> &rows);
    void appendClusterCentres(std::int64_t runId, const std::vector<ClusterCentreRow> &rows);
    // Ordered by step, probe, layer, site (, expert). An empty probe means every probe.
    std::vector<RoutingLayerRow> routingLayerStats(std::int64_t runId, const StepRange &steps = {},
                                                   const std::string &probe = {});
    std::vector<RoutingExpertRow> routingExpertStats(std::int64_t runId,
                                                     const StepRange &steps = {},
                                                     const std::string &probe = {});
    std::vector<ClusterLayerRow> clusterLayerStats(std::int64_t runId, const StepRange &steps = {},
                                                   const std::string &probe = {});
    // layer < 0 means every layer. Ordered by step, layer, cluster.
    std::vector<ClusterCentreRow> clusterCentres(std::int64_t runId, const StepRange &steps = {},
                                                 std::int64_t layer = -1);

private:
    Database *m_db;
};

} // namespace slim::store
