#pragma once
// The file table family of the run store: checkpoints and artifacts.

#include "store/database.h"
#include "store/run_records.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace slim::store {

// The files a run wrote (paths, hashes, sizes; the files themselves are never touched). Part
// of RunStore, whose rules it follows (thread affinity, one transaction per write, StoreError
// when the run does not exist); borrows a migrated Database that must outlive it.
class CheckpointTables
{
public:
    explicit CheckpointTables(Database &db)
        : m_db(&db)
    { }

    void addCheckpoint(std::int64_t runId, const CheckpointRow &row); // replaces the same step
    std::optional<CheckpointRow> latestCheckpoint(std::int64_t runId);
    std::vector<CheckpointRow> checkpoints(std::int64_t runId); // by step
    // Throws StoreError when the run has no checkpoint at `step`.
    void setCheckpointPinned(std::int64_t runId, std::int64_t step, bool pinned);
    void removeCheckpoint(std::int64_t runId, std::int64_t step); // the row only
    void addArtifact(std::int64_t runId, const ArtifactRow &row);
    std::vector<ArtifactRow> artifacts(std::int64_t runId); // in insertion order

private:
    Database *m_db;
};

} // namespace slim::store
