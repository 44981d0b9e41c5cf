// RoutingTables: routing statistics per layer and per expert, cluster statistics and centres.
#include "store/routing_tables.h"

#include "store/row_columns.h"
#include "store/statement.h"

namespace slim::store {

using namespace detail;

namespace {

// The rows of one run in a step range that pass `filter`, an SQL condition on ?4 = `value`,
// ordered by `orderBy`.
template<typename Row, typename Value>
std::vector<Row> runRowsInSteps(Database &db, std::int64_t runId, const StepRange &steps,
                                const char *filter, const Value &value, const char *orderBy)
{
    Statement query(db,
                    selectSql<Row>(std::string("WHERE run_id = ?1 AND step BETWEEN ?2 AND ?3"
                                               " AND ")
                                   + filter + " ORDER BY " + orderBy));
    query.bind(1, runId);
    query.bind(2, steps.from);
    query.bind(3, steps.to);
    query.bind(4, value);
    return readRows<Row>(query);
}

constexpr const char *kProbeFilter = "(?4 = '' OR probe = ?4)";

} // namespace

void RoutingTables::appendRoutingLayerStats(std::int64_t runId,
                                            const std::vector<RoutingLayerRow> &rows)
{
    appendRunRows(*m_db, runId, rows);
}

void RoutingTables::appendRoutingExpertStats(std::int64_t runId,
                                             const std::vector<RoutingExpertRow> &rows)
{
    appendRunRows(*m_db, runId, rows);
}

void RoutingTables::appendClusterLayerStats(std::int64_t runId,
                                            const std::vector<ClusterLayerRow> &rows)
{
    appendRunRows(*m_db, runId, rows);
}

void RoutingTables::appendClusterCentres(std::int64_t runId,
                                         const std::vector<ClusterCentreRow> &rows)
{
    appendRunRows(*m_db, runId, rows);
}

std::vector<RoutingLayerRow> RoutingTables::routingLayerStats(std::int64_t runId,
                                                              const StepRange &steps,
                                                              const std::string &probe)
{
    return runRowsInSteps<RoutingLayerRow>(*m_db, runId, steps, kProbeFilter, probe,
                                           "step, probe, layer, site");
}

std::vector<RoutingExpertRow> RoutingTables::routingExpertStats(std::int64_t runId,
                                                                const StepRange &steps,
                                                                const std::string &probe)
{
    return runRowsInSteps<RoutingExpertRow>(*m_db, runId, steps, kProbeFilter, probe,
                                            "step, probe, layer, site, expert");
}

std::vector<ClusterLayerRow> RoutingTables::clusterLayerStats(std::int64_t runId,
                                                              const StepRange &steps,
                                                              const std::string &probe)
{
    return runRowsInSteps<ClusterLayerRow>(*m_db, runId, steps, kProbeFilter, probe,
                                           "step, probe, layer");
}

std::vector<ClusterCentreRow>
RoutingTables::clusterCentres(std::int64_t runId, const StepRange &steps, std::int64_t layer)
{
    return runRowsInSteps<ClusterCentreRow>(*m_db, runId, steps, "(?4 < 0 OR layer = ?4)", layer,
                                            "step, layer, cluster");
}

} // namespace slim::store
