#pragma once
// The sweeps table family of the run store: a sweep (sweeps/sweep_spec.h) and its Slurm
// submissions. Its runs are ordinary runs with runs.sweep_id and runs.sweep_index set
// (RunTable; list them with RunFilter::sweepId).

#include "store/database.h"
#include "store/run_records.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace slim::store {

// Part of RunStore, whose rules it follows; borrows a migrated Database that must outlive it.
class SweepTable
{
public:
    explicit SweepTable(Database &db)
        : m_db(&db)
    { }

    // Records the sweep and returns its id; a sweep with the same uuid (the same spec) is not
    // recorded twice: its id is returned.
    std::int64_t createSweep(const SweepRecord &sweep);
    std::optional<SweepRecord> getSweep(std::int64_t sweepId);
    std::optional<SweepRecord> findSweepByUuid(const std::string &uuid);
    std::vector<SweepRecord> listSweeps(); // newest first
    // What a user may type for a sweep: its id, its uuid or a prefix of it (4 characters or
    // more), or its name. Every match, newest first.
    std::vector<SweepRecord> findSweeps(const std::string &reference);
    // Replaces the list of Slurm submissions (JSON array). Throws StoreError for no such sweep.
    void setSlurmJson(std::int64_t sweepId, const std::string &json);

private:
    Database *m_db;
};

} // namespace slim::store
