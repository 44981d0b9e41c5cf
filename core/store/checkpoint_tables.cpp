// CheckpointTables: checkpoints (with their pins) and other artifacts of runs.
#include "store/checkpoint_tables.h"

#include "store/row_columns.h"
#include "store/statement.h"
#include "store/store_error.h"

#include <utility>

namespace slim::store {

using namespace detail;

void CheckpointTables::addCheckpoint(std::int64_t runId, const CheckpointRow &row)
{
    // Keyed by (run_id, step); a repeat keeps the pin.
    Statement insert(*m_db, upsertSql<CheckpointRow>(true, 1));
    runRowBinder<CheckpointRow>(runId)(insert, 1, row);
    insert.exec();
}

std::optional<CheckpointRow> CheckpointTables::latestCheckpoint(std::int64_t runId)
{
    auto latest = selectRunRows<CheckpointRow>(*m_db, runId, "ORDER BY step DESC LIMIT 1");
    if (latest.empty())
        return std::nullopt;
    return std::move(latest.front());
}

std::vector<CheckpointRow> CheckpointTables::checkpoints(std::int64_t runId)
{
    return selectRunRows<CheckpointRow>(*m_db, runId, "ORDER BY step");
}

void CheckpointTables::setCheckpointPinned(std::int64_t runId, std::int64_t step, bool pinned)
{
    Statement update(*m_db, "UPDATE checkpoints SET pinned = ?3 WHERE run_id = ?1 AND step = ?2");
    update.bind(1, runId);
    update.bind(2, step);
    update.bind(3, std::int64_t(pinned ? 1 : 0));
    update.exec();
    if (m_db->changes() == 0)
        throw StoreError("run " + std::to_string(runId) + " has no checkpoint at step "
                         + std::to_string(step));
}

void CheckpointTables::removeCheckpoint(std::int64_t runId, std::int64_t step)
{
    Statement remove(*m_db, "DELETE FROM checkpoints WHERE run_id = ?1 AND step = ?2");
    remove.bind(1, runId);
    remove.bind(2, step);
    remove.exec();
}

void CheckpointTables::addArtifact(std::int64_t runId, const ArtifactRow &row)
{
    Statement insert(*m_db,
                     runRowsHead<ArtifactRow>("INSERT") + " VALUES ("
                         + placeholders(runRowParams<ArtifactRow>()) + ")");
    runRowBinder<ArtifactRow>(runId)(insert, 1, row);
    insert.exec();
}

std::vector<ArtifactRow> CheckpointTables::artifacts(std::int64_t runId)
{
    return selectRunRows<ArtifactRow>(*m_db, runId, "ORDER BY id");
}

} // namespace slim::store
