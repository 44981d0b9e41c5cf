#pragma once
// The SLIM cluster snapshots of one run, indexed by layer and step for the Clusters tab. Rows are
// not copied (centres are [dim] vectors, dim up to ~4096): the index keeps the RunData holding
// them alive and points into it.
//
// Not thread-safe. RunSession owns the index of the run it shows; the Clusters tab reads it.

#include "run_data.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace slim::services {

class ClusterIndex
{
public:
    // centres[step][cluster]
    using CentreSteps
        = std::map<std::int64_t, std::map<std::int64_t, const store::ClusterCentreRow *>>;

    void clear();
    // Indexes data->clusterLayers and data->clusterCentres; a row for a (step, layer, cluster)
    // or (step, probe, layer) already present replaces it unless it repeats it. Returns whether
    // anything changed; `data` is kept only then.
    bool add(std::shared_ptr<const RunData> data);

    bool empty() const { return m_centres.empty() && m_stats.empty(); }
    std::vector<std::int64_t> layers() const; // ascending, from centres and d+ statistics
    std::vector<std::int64_t> steps() const; // ascending, every step with a snapshot
    std::vector<std::string> probes() const; // "train", "general", "downstream", then by name

    const CentreSteps *centres(std::int64_t layer) const; // nullptr when none
    // Bumped whenever the layer's centres change: the projection is refitted only then.
    std::uint64_t centreRevision(std::int64_t layer) const;
    // Mean over clusters of ||c_now - c_previous_report||, per step.
    std::vector<std::pair<std::int64_t, double>> meanDrift(std::int64_t layer) const;
    // The probe's d+ statistics for the layer at `step`, or at the latest step before it
    // (evaluation probes are recorded at eval steps only); nullptr when there are none.
    const store::ClusterLayerRow *stats(const std::string &probe, std::int64_t layer,
                                        std::int64_t step) const;

private:
    std::vector<std::shared_ptr<const RunData>> m_owners;
    std::map<std::int64_t, CentreSteps> m_centres; // by layer
    std::map<std::int64_t, std::uint64_t> m_revisions; // by layer
    // by (probe, layer), then step
    std::map<std::pair<std::string, std::int64_t>,
             std::map<std::int64_t, const store::ClusterLayerRow *>>
        m_stats;
    std::uint64_t m_nextRevision = 1;
};

} // namespace slim::services
