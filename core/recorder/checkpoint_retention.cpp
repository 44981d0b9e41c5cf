#include "checkpoint_retention.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>

namespace slim::store {

namespace fs = std::filesystem;

std::int64_t keepCheckpointsOf(const RunRecord &run)
{
    const auto spec = nlohmann::json::parse(run.specJson, nullptr, false);
    if (spec.is_object() && spec.contains("schedule") && spec["schedule"].is_object()) {
        const auto &keep = spec["schedule"].value("keep_checkpoints", nlohmann::json());
        if (keep.is_number_integer())
            return keep.get<std::int64_t>();
    }
    return 3;
}

std::vector<CheckpointRow> checkpointsToPrune(const std::vector<CheckpointRow> &checkpoints,
                                              const std::vector<std::int64_t> &evaluatedSteps,
                                              std::int64_t keepLast)
{
    std::vector<CheckpointRow> out;
    if (keepLast <= 0)
        return out;
    auto byStep = checkpoints;
    std::sort(byStep.begin(), byStep.end(),
              [](const auto &a, const auto &b) { return a.step < b.step; });
    const auto recent = byStep.size() > size_t(keepLast) ? byStep.size() - size_t(keepLast) : 0;
    for (size_t i = 0; i < recent; ++i) {
        const auto &c = byStep[i];
        const bool evaluated = std::find(evaluatedSteps.begin(), evaluatedSteps.end(), c.step)
                               != evaluatedSteps.end();
        if (!c.pinned && !evaluated)
            out.push_back(c);
    }
    return out;
}

std::int64_t folderBytes(const fs::path &dir)
{
    std::error_code ec;
    std::int64_t total = 0;
    if (!fs::exists(dir, ec))
        return 0;
    if (fs::is_regular_file(dir, ec))
        return std::int64_t(fs::file_size(dir, ec));
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
        if (it->is_regular_file(ec))
            total += std::int64_t(it->file_size(ec));
    }
    return total;
}

PruneResult pruneCheckpoints(RunStore &store, std::int64_t runId, std::int64_t keepLast)
{
    PruneResult result;
    for (const auto &c : checkpointsToPrune(store.checkpoints(runId), store.evaluatedSteps(runId),
                                            keepLast)) {
        const auto bytes = folderBytes(c.path);
        store.removeCheckpoint(runId, c.step);
        std::error_code ec;
        fs::remove_all(c.path, ec);
        result.removedSteps.push_back(c.step);
        result.bytesFreed += bytes;
    }
    return result;
}

} // namespace slim::store
