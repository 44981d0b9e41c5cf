#pragma once
// Merging the runs of another workbench database (a Slurm task's, a colleague's) into this one,
// keyed by run uuid, with everything recorded for them: metrics, evaluation results, routing
// and cluster statistics, checkpoints and files, tags, their sweep. Std + SQLite only.
//
// The source is read once into a private snapshot (VACUUM INTO a temporary file beside the
// target, upgraded there when it is from an older version), so it is never written, locked
// for long or read half-written. Then one transaction per run: killed at any moment, each run is
// in the target whole or not at all. Importing the same file twice changes nothing.
//
// Per run (by uuid):
// - not in the target: added, under a new id;
// - the same (status, step, finish time): unchanged;
// - queued or running in the target, or succeeded there: kept as it is;
// - otherwise (failed, interrupted or cancelled here, and different there, e.g. a resubmitted
//   Slurm task that has since succeeded): replaced, keeping its id, tags and notes here.
// Runs still queued or running in the source are skipped (import again once they have ended),
// unless their heartbeat is more than 5 minutes old: their process is gone, and they are
// imported as interrupted. A run whose rows in the file break the schema's rules (a damaged or
// hand-edited database) is skipped whole, saying so; the others are imported.

#include "store/run_store.h"

#include <cstddef>
#include <functional>
#include <stop_token>
#include <string>
#include <vector>

namespace slim::store {

enum class ImportAction { Added, Replaced, Unchanged, Kept, Skipped };
std::string_view importActionName(ImportAction action); // "added", ...

struct ImportedRun
{
    std::string uuid;
    std::string name;
    ImportAction action = ImportAction::Added;
    std::int64_t targetId = 0; // the run's id in the target (0 when skipped)
    std::string reason;        // why kept or skipped
};

struct ImportReport
{
    std::string source;
    std::vector<ImportedRun> runs;
    bool cancelled = false; // stopped before every run was looked at
    std::size_t count(ImportAction action) const;
};

// (runs looked at, runs in the source): called after each run.
using ImportProgress = std::function<void(std::size_t done, std::size_t total)>;

// Imports every run of the database file `source` into `target`. Throws StoreError naming the
// file when it is not a workbench database, is damaged, is from a newer version, or is the
// target itself; the target is then unchanged. A stop request ends the import between runs.
ImportReport importRuns(RunStore &target, const std::string &source,
                        const ImportProgress &progress = {}, std::stop_token stop = {});

} // namespace slim::store
