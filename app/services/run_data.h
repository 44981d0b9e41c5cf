#pragma once
// What the views of one run show, as run-store rows: loaded from the store by RunCatalog, or
// an increment of a live run from MetricStream. One representation for both, so a live view
// and a reopened one draw the same thing. Plain values; no thread affinity.

#include "store/run_records.h"

#include <QMetaType>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace slim::services {

struct RunData
{
    std::int64_t runId = 0;
    std::vector<store::MetricRow> metrics; // live increments only (loaded runs use series)
    std::vector<store::EvalRow> evals;
    std::vector<store::RoutingLayerRow> routingLayers;
    std::vector<store::RoutingExpertRow> routingExperts;
    std::vector<store::ClusterLayerRow> clusterLayers;
    std::vector<store::ClusterCentreRow> clusterCentres;

    bool empty() const;
    void append(RunData &&more); // same run; keeps the order of arrival
};

// Everything recorded for one run, read in one go off the GUI thread.
struct RunDetail
{
    store::RunRecord record;
    // Every metric of the run, downsampled for display (min/max/last per bucket).
    std::map<std::string, std::vector<store::SeriesBucket>> series;
    RunData data; // evals, routing, clusters (metrics empty: see series)
    // Every cached score of the run's base model (forgetting = base - run on the same items,
    // mode and template); empty until the run has recorded its base model's hash.
    std::vector<store::BaseScoreRow> baseScores;
    std::vector<store::CheckpointRow> checkpoints;
    std::vector<store::ArtifactRow> artifacts;
    std::vector<std::int64_t> evaluatedSteps; // checkpoints at these steps are kept
    std::int64_t keepCheckpoints = 3;         // the run's retention: the last N (0 = all)
    std::int64_t diskBytes = 0;               // the run folder on disk, measured at load
};

using RunSummaries = std::vector<store::RunSummary>;
using RunDetailPtr = std::shared_ptr<const RunDetail>;

} // namespace slim::services

Q_DECLARE_METATYPE(slim::services::RunSummaries)
Q_DECLARE_METATYPE(slim::services::RunDetailPtr)
