// RunStore: routing and cluster statistics, checkpoints and artifacts.
#include "store/run_store.h"

#include "store/multi_row_insert.h"
#include "store/run_store_internal.h"
#include "store/statement.h"
#include "store/transaction.h"

namespace slim::store {

namespace {

// The filters shared by the per-run analysis queries: ?1 run, ?2..?3 steps, ?4 probe or ''.
void bindRunSteps(Statement &query, std::int64_t runId, const StepRange &steps,
                  const std::string &probe)
{
    query.bind(1, runId);
    query.bind(2, steps.from);
    query.bind(3, steps.to);
    query.bind(4, probe);
}

} // namespace

void RunStore::appendRoutingLayerStats(std::int64_t runId, const std::vector<RoutingLayerRow> &rows)
{
    insertRowsInTransaction(
        m_db,
        "INSERT OR REPLACE INTO routing_layer_stats (run_id, step, probe, layer,"
        " site, tokens, identity_mass, full_identity_rate, router_entropy,"
        " load_cv2)",
        10, rows, [runId](Statement &s, int i, const RoutingLayerRow &row) {
            s.bind(i, runId);
            s.bind(i + 1, row.step);
            s.bind(i + 2, row.probe);
            s.bind(i + 3, row.layer);
            s.bind(i + 4, row.site);
            s.bind(i + 5, row.tokens);
            s.bind(i + 6, row.identityMass);
            s.bind(i + 7, row.fullIdentityRate);
            s.bind(i + 8, row.routerEntropy);
            s.bind(i + 9, row.loadCv2);
        });
}

void RunStore::appendRoutingExpertStats(std::int64_t runId,
                                        const std::vector<RoutingExpertRow> &rows)
{
    insertRowsInTransaction(m_db,
                            "INSERT OR REPLACE INTO routing_expert_stats (run_id, step, probe,"
                            " layer, site, expert, is_identity, mean_weight, selection_share)",
                            9, rows, [runId](Statement &s, int i, const RoutingExpertRow &row) {
                                s.bind(i, runId);
                                s.bind(i + 1, row.step);
                                s.bind(i + 2, row.probe);
                                s.bind(i + 3, row.layer);
                                s.bind(i + 4, row.site);
                                s.bind(i + 5, row.expert);
                                s.bind(i + 6, row.isIdentity ? 1 : 0);
                                s.bind(i + 7, row.meanWeight);
                                s.bind(i + 8, row.selectionShare);
                            });
}

void RunStore::appendClusterLayerStats(std::int64_t runId, const std::vector<ClusterLayerRow> &rows)
{
    insertRowsInTransaction(
        m_db,
        "INSERT OR REPLACE INTO cluster_layer_stats (run_id, step, probe, layer,"
        " scored, dplus_mean, dplus_max, dplus_positive_share, reference,"
        " dplus_histogram, histogram_max)",
        11, rows, [runId](Statement &s, int i, const ClusterLayerRow &row) {
            s.bind(i, runId);
            s.bind(i + 1, row.step);
            s.bind(i + 2, row.probe);
            s.bind(i + 3, row.layer);
            s.bind(i + 4, row.scored);
            s.bind(i + 5, row.dplusMean);
            s.bind(i + 6, row.dplusMax);
            s.bind(i + 7, row.dplusPositiveShare);
            s.bind(i + 8, row.reference);
            // int64 counts in host byte order (little-endian on every supported platform).
            s.bindBlob(i + 9, row.dplusHistogram.data(),
                       row.dplusHistogram.size() * sizeof(std::int64_t));
            s.bind(i + 10, row.histogramMax);
        });
}

void RunStore::appendClusterCentres(std::int64_t runId, const std::vector<ClusterCentreRow> &rows)
{
    insertRowsInTransaction(m_db,
                            "INSERT OR REPLACE INTO cluster_centres (run_id, step, layer, cluster,"
                            " size, drift, mean_sigma, centre)",
                            8, rows, [runId](Statement &s, int i, const ClusterCentreRow &row) {
                                s.bind(i, runId);
                                s.bind(i + 1, row.step);
                                s.bind(i + 2, row.layer);
                                s.bind(i + 3, row.cluster);
                                s.bind(i + 4, row.size);
                                s.bind(i + 5, row.drift);
                                s.bind(i + 6, row.meanSigma);
                                s.bindBlob(i + 7, row.centre.data(),
                                           row.centre.size() * sizeof(float));
                            });
}

std::vector<RoutingLayerRow> RunStore::routingLayerStats(std::int64_t runId, const StepRange &steps,
                                                         const std::string &probe)
{
    Statement query(m_db,
                    "SELECT step, probe, layer, site, tokens, identity_mass,"
                    " full_identity_rate, router_entropy, load_cv2"
                    " FROM routing_layer_stats WHERE run_id = ?1 AND step BETWEEN ?2 AND ?3"
                    " AND (?4 = '' OR probe = ?4) ORDER BY step, probe, layer, site");
    bindRunSteps(query, runId, steps, probe);
    std::vector<RoutingLayerRow> out;
    while (query.step()) {
        out.push_back({query.columnInt64(0), query.columnText(1), query.columnInt64(2),
                       query.columnText(3), query.columnInt64(4), query.columnDouble(5),
                       query.columnDouble(6), query.columnDouble(7), query.columnDouble(8)});
    }
    return out;
}

std::vector<RoutingExpertRow>
RunStore::routingExpertStats(std::int64_t runId, const StepRange &steps, const std::string &probe)
{
    Statement query(m_db,
                    "SELECT step, probe, layer, site, expert, is_identity, mean_weight,"
                    " selection_share FROM routing_expert_stats"
                    " WHERE run_id = ?1 AND step BETWEEN ?2 AND ?3"
                    " AND (?4 = '' OR probe = ?4) ORDER BY step, probe, layer, site, expert");
    bindRunSteps(query, runId, steps, probe);
    std::vector<RoutingExpertRow> out;
    while (query.step()) {
        out.push_back({query.columnInt64(0), query.columnText(1), query.columnInt64(2),
                       query.columnText(3), query.columnInt64(4), query.columnInt(5) != 0,
                       query.columnDouble(6), query.columnDouble(7)});
    }
    return out;
}

std::vector<ClusterLayerRow> RunStore::clusterLayerStats(std::int64_t runId, const StepRange &steps,
                                                         const std::string &probe)
{
    Statement query(m_db,
                    "SELECT step, probe, layer, scored, dplus_mean, dplus_max,"
                    " dplus_positive_share, reference, dplus_histogram, histogram_max"
                    " FROM cluster_layer_stats WHERE run_id = ?1 AND step BETWEEN ?2 AND ?3"
                    " AND (?4 = '' OR probe = ?4) ORDER BY step, probe, layer");
    bindRunSteps(query, runId, steps, probe);
    std::vector<ClusterLayerRow> out;
    while (query.step()) {
        ClusterLayerRow row;
        row.step = query.columnInt64(0);
        row.probe = query.columnText(1);
        row.layer = query.columnInt64(2);
        row.scored = query.columnInt64(3);
        row.dplusMean = query.columnDouble(4);
        row.dplusMax = query.columnDouble(5);
        row.dplusPositiveShare = query.columnDouble(6);
        row.reference = query.columnDouble(7);
        row.dplusHistogram = query.columnArray<std::int64_t>(8);
        row.histogramMax = query.columnOptDouble(9);
        out.push_back(std::move(row));
    }
    return out;
}

std::vector<ClusterCentreRow> RunStore::clusterCentres(std::int64_t runId, const StepRange &steps,
                                                       std::int64_t layer)
{
    Statement query(m_db,
                    "SELECT step, layer, cluster, size, drift, mean_sigma, centre"
                    " FROM cluster_centres WHERE run_id = ?1 AND step BETWEEN ?2 AND ?3"
                    " AND (?4 < 0 OR layer = ?4) ORDER BY step, layer, cluster");
    query.bind(1, runId);
    query.bind(2, steps.from);
    query.bind(3, steps.to);
    query.bind(4, layer);
    std::vector<ClusterCentreRow> out;
    while (query.step()) {
        out.push_back({query.columnInt64(0), query.columnInt64(1), query.columnInt64(2),
                       query.columnInt64(3), query.columnDouble(4), query.columnDouble(5),
                       query.columnArray<float>(6)});
    }
    return out;
}

void RunStore::addCheckpoint(std::int64_t runId, const CheckpointRow &row)
{
    Statement insert(m_db,
                     std::string("INSERT INTO checkpoints (run_id, step, path, sha256,"
                                 " bytes) VALUES (?1, ?2, ?3, ?4, ?5)"
                                 " ON CONFLICT (run_id, step) DO UPDATE SET"
                                 " path = excluded.path, sha256 = excluded.sha256,"
                                 " bytes = excluded.bytes, created_at = ")
                         + detail::kNowSql);
    insert.bind(1, runId);
    insert.bind(2, row.step);
    insert.bind(3, row.path);
    insert.bind(4, row.sha256);
    insert.bind(5, row.bytes);
    insert.exec();
}

namespace {

constexpr const char *kCheckpointColumns = "SELECT step, path, sha256, bytes, created_at,"
                                           " pinned FROM checkpoints WHERE run_id = ?1";

CheckpointRow readCheckpoint(const Statement &query)
{
    return {query.columnInt64(0), query.columnText(1), query.columnText(2), query.columnInt64(3),
            query.columnText(4), query.columnInt64(5) != 0};
}

} // namespace

std::optional<CheckpointRow> RunStore::latestCheckpoint(std::int64_t runId)
{
    Statement query(m_db, std::string(kCheckpointColumns) + " ORDER BY step DESC LIMIT 1");
    query.bind(1, runId);
    if (!query.step())
        return std::nullopt;
    return readCheckpoint(query);
}

std::vector<CheckpointRow> RunStore::checkpoints(std::int64_t runId)
{
    Statement query(m_db, std::string(kCheckpointColumns) + " ORDER BY step");
    query.bind(1, runId);
    std::vector<CheckpointRow> out;
    while (query.step())
        out.push_back(readCheckpoint(query));
    return out;
}

void RunStore::setCheckpointPinned(std::int64_t runId, std::int64_t step, bool pinned)
{
    Statement update(m_db, "UPDATE checkpoints SET pinned = ?3 WHERE run_id = ?1 AND step = ?2");
    update.bind(1, runId);
    update.bind(2, step);
    update.bind(3, std::int64_t(pinned ? 1 : 0));
    update.exec();
    if (m_db.changes() == 0)
        throw StoreError("run " + std::to_string(runId) + " has no checkpoint at step "
                         + std::to_string(step));
}

void RunStore::removeCheckpoint(std::int64_t runId, std::int64_t step)
{
    Statement remove(m_db, "DELETE FROM checkpoints WHERE run_id = ?1 AND step = ?2");
    remove.bind(1, runId);
    remove.bind(2, step);
    remove.exec();
}

std::vector<std::int64_t> RunStore::evaluatedSteps(std::int64_t runId)
{
    Statement query(m_db, "SELECT DISTINCT step FROM eval_results WHERE run_id = ?1 ORDER BY step");
    query.bind(1, runId);
    std::vector<std::int64_t> out;
    while (query.step())
        out.push_back(query.columnInt64(0));
    return out;
}

void RunStore::addArtifact(std::int64_t runId, const ArtifactRow &row)
{
    Statement insert(m_db,
                     "INSERT INTO artifacts (run_id, kind, path, sha256, bytes)"
                     " VALUES (?1, ?2, ?3, ?4, ?5)");
    insert.bind(1, runId);
    insert.bind(2, row.kind);
    insert.bind(3, row.path);
    insert.bind(4, row.sha256);
    insert.bind(5, row.bytes);
    insert.exec();
}

std::vector<ArtifactRow> RunStore::artifacts(std::int64_t runId)
{
    Statement query(m_db,
                    "SELECT kind, path, sha256, bytes, created_at FROM artifacts"
                    " WHERE run_id = ?1 ORDER BY id");
    query.bind(1, runId);
    std::vector<ArtifactRow> out;
    while (query.step()) {
        out.push_back({query.columnText(0), query.columnText(1), query.columnText(2),
                       query.columnInt64(3), query.columnText(4)});
    }
    return out;
}

} // namespace slim::store
