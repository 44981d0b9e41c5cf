// slimctl pin / prune / delete: which of a run's checkpoints stay on disk (the retention rule
// itself is recorder/checkpoint_retention.h, shared with the recorder and the window), and
// deleting whole runs (jobs::deleteRun).
#include "command_args.h"
#include "run_table.h"

#include "train/memory_estimate.h"

#include "jobs/run_exports.h"
#include "jobs/run_jobs.h"
#include "jobs/workbench_paths.h"
#include "recorder/checkpoint_retention.h"

#include <nlohmann/json.hpp>

#include <iostream>

namespace slim::cli {

int cmdPin(const GlobalOptions &g, const PinArgs &a)
{
    const auto paths = jobs::WorkbenchPaths::resolve(g.database);
    store::RunStore db(paths.database.string());
    const auto id = resolveRunId(db, a.run);
    db.setCheckpointPinned(id, a.step, !a.unpin);
    std::cout << "run " << id << ": checkpoint of step " << a.step
              << (a.unpin ? " unpinned" : " pinned (kept by pruning)") << "\n";
    return 0;
}

int cmdPrune(const GlobalOptions &g, const PruneArgs &a)
{
    const auto paths = jobs::WorkbenchPaths::resolve(g.database);
    store::RunStore db(paths.database.string());
    db.markInterruptedRuns();
    const auto id = resolveRunId(db, a.run);
    const auto run = db.getRun(id);
    const auto keep = a.keep >= 0 ? a.keep : store::keepCheckpointsOf(*run);
    if (keep == 0)
        throw std::invalid_argument("--keep 0 would keep every checkpoint; give the number of "
                                    "recent checkpoints to keep (at least 1)");
    const auto result = store::pruneCheckpoints(db, id, keep);
    if (g.json) {
        std::cout << nlohmann::json{{"run", id}, {"removed_steps", result.removedSteps},
                                    {"bytes_freed", result.bytesFreed}}
                         .dump()
                  << "\n";
        return 0;
    }
    std::cout << "run " << id << ": removed " << result.removedSteps.size() << " checkpoints, freed "
              << engine::formatBytes(result.bytesFreed) << " (kept the last " << keep
              << " plus evaluated and pinned ones)\n";
    return 0;
}

int cmdDelete(const GlobalOptions &g, const DeleteArgs &a)
{
    const auto paths = jobs::WorkbenchPaths::resolve(g.database);
    store::RunStore db(paths.database.string());
    db.markInterruptedRuns();
    std::vector<std::int64_t> ids;
    for (const auto &text : a.runs)
        ids.push_back(resolveRunId(db, text)); // every id resolves before anything is deleted
    for (const auto id : ids) {
        const auto run = db.getRun(id);
        jobs::deleteRun(db, paths, id, a.files);
        std::cout << "deleted run " << id << " (" << run->name << ")";
        if (!a.files)
            std::cout << "; its files stay in " << jobs::runFolderOf(*run, paths).string();
        std::cout << "\n";
    }
    return 0;
}

} // namespace slim::cli
