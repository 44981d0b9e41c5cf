#pragma once
// Internal to slim_store: the columns of every row type, one list per type (see
// column_traits.h), grouped by table family. A list is in the order its SELECTs read; INSERTs
// bind its written columns in the same order.

#include "store/column_traits.h"
#include "store/run_records.h"

namespace slim::store::detail {

// --- runs --------------------------------------------------------------------------------------

// The tags of the run aliased `r`, for a tags column.
inline constexpr const char *kTagsSubquery
    = "(SELECT group_concat(tag, char(31)) FROM run_tags t WHERE t.run_id = r.id)";

template<>
struct RowColumns<RunRecord>
{
    static constexpr const char *table = "runs";
    static constexpr auto columns = std::tuple {
        readOnlyColumn<&RunRecord::id>("id"),
        column<&RunRecord::uuid>("uuid"),
        column<&RunRecord::name>("name"),
        column<&RunRecord::method>("method"),
        column<&RunRecord::status>("status"),
        column<&RunRecord::specJson>("spec_json"),
        column<&RunRecord::seed>("seed"),
        textOrNullColumn<&RunRecord::gitCommit>("git_commit"),
        column<&RunRecord::versionsJson>("versions_json"),
        textOrNullColumn<&RunRecord::device>("device"),
        column<&RunRecord::datasetHashesJson>("dataset_hashes_json"),
        readOnlyColumn<&RunRecord::createdAt>("created_at"),
        readOnlyColumn<&RunRecord::startedAt>("started_at"),
        readOnlyColumn<&RunRecord::finishedAt>("finished_at"),
        readOnlyColumn<&RunRecord::heartbeatAt>("heartbeat_at"),
        column<&RunRecord::pid>("pid"),
        column<&RunRecord::host>("host"),
        column<&RunRecord::currentStep>("current_step"),
        column<&RunRecord::totalSteps>("total_steps"),
        column<&RunRecord::progress>("progress"),
        readOnlyColumn<&RunRecord::errorMessage>("error_message"),
        readOnlyColumn<&RunRecord::errorDetail>("error_detail"),
        column<&RunRecord::parentRunId>("parent_run_id"),
        column<&RunRecord::notes>("notes"),
        column<&RunRecord::downstreamAvg>("downstream_avg"),
        column<&RunRecord::generalAvg>("general_avg"),
        column<&RunRecord::forgettingAvg>("forgetting_avg"),
        readOnlyColumn<&RunRecord::tags>(kTagsSubquery),
        column<&RunRecord::sweepId>("sweep_id"),
        column<&RunRecord::sweepIndex>("sweep_index"),
    };
};

// Read only (the listing).
template<>
struct RowColumns<RunSummary>
{
    static constexpr const char *table = "runs";
    static constexpr auto columns = std::tuple {
        readOnlyColumn<&RunSummary::id>("id"),
        readOnlyColumn<&RunSummary::uuid>("uuid"),
        readOnlyColumn<&RunSummary::name>("name"),
        readOnlyColumn<&RunSummary::method>("method"),
        readOnlyColumn<&RunSummary::status>("status"),
        readOnlyColumn<&RunSummary::createdAt>("created_at"),
        readOnlyColumn<&RunSummary::startedAt>("started_at"),
        readOnlyColumn<&RunSummary::finishedAt>("finished_at"),
        readOnlyColumn<&RunSummary::currentStep>("current_step"),
        readOnlyColumn<&RunSummary::totalSteps>("total_steps"),
        readOnlyColumn<&RunSummary::progress>("progress"),
        readOnlyColumn<&RunSummary::errorMessage>("error_message"),
        readOnlyColumn<&RunSummary::parentRunId>("parent_run_id"),
        readOnlyColumn<&RunSummary::notes>("notes"),
        readOnlyColumn<&RunSummary::downstreamAvg>("downstream_avg"),
        readOnlyColumn<&RunSummary::generalAvg>("general_avg"),
        readOnlyColumn<&RunSummary::forgettingAvg>("forgetting_avg"),
        readOnlyColumn<&RunSummary::tags>(kTagsSubquery),
        readOnlyColumn<&RunSummary::sweepId>("sweep_id"),
        readOnlyColumn<&RunSummary::sweepIndex>("sweep_index"),
        readOnlyColumn<&RunSummary::sweepName>(
            "COALESCE((SELECT s.name FROM sweeps s WHERE s.id = r.sweep_id), '')"),
    };
};

template<>
struct RowColumns<SweepRecord>
{
    static constexpr const char *table = "sweeps";
    static constexpr auto columns = std::tuple {
        readOnlyColumn<&SweepRecord::id>("id"),
        column<&SweepRecord::uuid>("uuid"),
        column<&SweepRecord::name>("name"),
        column<&SweepRecord::specJson>("spec_json"),
        column<&SweepRecord::runCount>("run_count"),
        readOnlyColumn<&SweepRecord::createdAt>("created_at"),
        column<&SweepRecord::slurmJson>("slurm_json"),
    };
};

// --- metrics and series ------------------------------------------------------------------------

// A MetricRow as stored: its name interned in metric_names.
struct ResolvedMetric
{
    std::int64_t step = 0;
    std::int64_t nameId = 0;
    double value = 0;
};

template<>
struct RowColumns<ResolvedMetric>
{
    static constexpr const char *table = "metrics";
    static constexpr auto columns = std::tuple {
        column<&ResolvedMetric::nameId>("name_id"),
        column<&ResolvedMetric::step>("step"),
        column<&ResolvedMetric::value>("value"),
    };
};

// A bucket as stored in metric_rollups; queries computing buckets select the same six values
// in this order.
template<>
struct RowColumns<SeriesBucket>
{
    static constexpr auto columns = std::tuple {
        column<&SeriesBucket::firstStep>("first_step"),
        column<&SeriesBucket::lastStep>("last_step"),
        column<&SeriesBucket::min>("lo"),
        column<&SeriesBucket::max>("hi"),
        column<&SeriesBucket::last>("last"),
        column<&SeriesBucket::count>("n"),
    };
};

// One 64-step rollup of a metric (see MetricTables::series).
struct RollupRow
{
    std::int64_t nameId = 0;
    std::int64_t bucket = 0; // step >> 6
    SeriesBucket rollup;
};

template<>
struct RowColumns<RollupRow>
{
    static constexpr const char *table = "metric_rollups";
    static constexpr auto columns = std::tuple_cat(
        std::tuple {column<&RollupRow::nameId>("name_id"), column<&RollupRow::bucket>("bucket")},
        nestedColumns<&RollupRow::rollup>(RowColumns<SeriesBucket>::columns));
};

// --- evaluations and base scores ---------------------------------------------------------------

template<>
struct RowColumns<EvalRow>
{
    static constexpr const char *table = "eval_results";
    static constexpr auto columns = std::tuple {
        column<&EvalRow::step>("step"),
        column<&EvalRow::task>("task"),
        column<&EvalRow::split>("split"),
        column<&EvalRow::metric>("metric"),
        column<&EvalRow::value>("value"),
        column<&EvalRow::stderr_>("stderr"),
        column<&EvalRow::n>("n"),
        column<&EvalRow::mode>("mode"),
        column<&EvalRow::templateHash>("template_hash"),
        column<&EvalRow::shots>("shots"),
        column<&EvalRow::taskVersion>("task_version"),
        column<&EvalRow::isFinal>("is_final"),
        column<&EvalRow::floor>("floor"),
        column<&EvalRow::kind>("task_kind"),
    };
};

// The primary key of base_scores.
template<>
struct RowColumns<BaseScoreKey>
{
    static constexpr auto columns = std::tuple {
        column<&BaseScoreKey::modelHash>("model_hash"),
        column<&BaseScoreKey::task>("task"),
        column<&BaseScoreKey::split>("split"),
        column<&BaseScoreKey::metric>("metric"),
        column<&BaseScoreKey::mode>("mode"),
        column<&BaseScoreKey::templateHash>("template_hash"),
        column<&BaseScoreKey::shots>("shots"),
        column<&BaseScoreKey::taskVersion>("task_version"),
    };
};

template<>
struct RowColumns<BaseScoreRow>
{
    static constexpr const char *table = "base_scores";
    static constexpr auto columns
        = std::tuple_cat(nestedColumns<&BaseScoreRow::key>(RowColumns<BaseScoreKey>::columns),
                         std::tuple {
                             column<&BaseScoreRow::value>("value"),
                             column<&BaseScoreRow::stderr_>("stderr"),
                             column<&BaseScoreRow::n>("n"),
                             readOnlyColumn<&BaseScoreRow::createdAt>("created_at"),
                         });
};

// --- routing and clusters ----------------------------------------------------------------------

template<>
struct RowColumns<RoutingLayerRow>
{
    static constexpr const char *table = "routing_layer_stats";
    static constexpr auto columns = std::tuple {
        column<&RoutingLayerRow::step>("step"),
        column<&RoutingLayerRow::probe>("probe"),
        column<&RoutingLayerRow::layer>("layer"),
        column<&RoutingLayerRow::site>("site"),
        column<&RoutingLayerRow::tokens>("tokens"),
        column<&RoutingLayerRow::identityMass>("identity_mass"),
        column<&RoutingLayerRow::fullIdentityRate>("full_identity_rate"),
        column<&RoutingLayerRow::routerEntropy>("router_entropy"),
        column<&RoutingLayerRow::loadCv2>("load_cv2"),
    };
};

template<>
struct RowColumns<RoutingExpertRow>
{
    static constexpr const char *table = "routing_expert_stats";
    static constexpr auto columns = std::tuple {
        column<&RoutingExpertRow::step>("step"),
        column<&RoutingExpertRow::probe>("probe"),
        column<&RoutingExpertRow::layer>("layer"),
        column<&RoutingExpertRow::site>("site"),
        column<&RoutingExpertRow::expert>("expert"),
        column<&RoutingExpertRow::isIdentity>("is_identity"),
        column<&RoutingExpertRow::meanWeight>("mean_weight"),
        column<&RoutingExpertRow::selectionShare>("selection_share"),
    };
};

template<>
struct RowColumns<ClusterLayerRow>
{
    static constexpr const char *table = "cluster_layer_stats";
    static constexpr auto columns = std::tuple {
        column<&ClusterLayerRow::step>("step"),
        column<&ClusterLayerRow::probe>("probe"),
        column<&ClusterLayerRow::layer>("layer"),
        column<&ClusterLayerRow::scored>("scored"),
        column<&ClusterLayerRow::dplusMean>("dplus_mean"),
        column<&ClusterLayerRow::dplusMax>("dplus_max"),
        column<&ClusterLayerRow::dplusPositiveShare>("dplus_positive_share"),
        column<&ClusterLayerRow::reference>("reference"),
        column<&ClusterLayerRow::dplusHistogram>("dplus_histogram"), // int64 counts
        column<&ClusterLayerRow::histogramMax>("histogram_max"),
    };
};

template<>
struct RowColumns<ClusterCentreRow>
{
    static constexpr const char *table = "cluster_centres";
    static constexpr auto columns = std::tuple {
        column<&ClusterCentreRow::step>("step"),
        column<&ClusterCentreRow::layer>("layer"),
        column<&ClusterCentreRow::cluster>("cluster"),
        column<&ClusterCentreRow::size>("size"),
        column<&ClusterCentreRow::drift>("drift"),
        column<&ClusterCentreRow::meanSigma>("mean_sigma"),
        column<&ClusterCentreRow::centre>("centre"), // float32 [dim]
    };
};

// --- checkpoints and artifacts -----------------------------------------------------------------

template<>
struct RowColumns<CheckpointRow>
{
    static constexpr const char *table = "checkpoints";
    static constexpr auto columns = std::tuple {
        column<&CheckpointRow::step>("step"),
        column<&CheckpointRow::path>("path"),
        column<&CheckpointRow::sha256>("sha256"),
        column<&CheckpointRow::bytes>("bytes"),
        readOnlyColumn<&CheckpointRow::createdAt>("created_at"),
        readOnlyColumn<&CheckpointRow::pinned>("pinned"), // setCheckpointPinned
    };
};

template<>
struct RowColumns<ArtifactRow>
{
    static constexpr const char *table = "artifacts";
    static constexpr auto columns = std::tuple {
        column<&ArtifactRow::kind>("kind"),
        column<&ArtifactRow::path>("path"),
        column<&ArtifactRow::sha256>("sha256"),
        column<&ArtifactRow::bytes>("bytes"),
        readOnlyColumn<&ArtifactRow::createdAt>("created_at"),
    };
};

} // namespace slim::store::detail
