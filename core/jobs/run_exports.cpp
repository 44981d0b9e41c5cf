#include "run_exports.h"

#include "recorder/checkpoint_retention.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <map>
#include <stdexcept>

namespace slim::jobs {

namespace fs = std::filesystem;

fs::path runFolderOf(const store::RunRecord &run, const WorkbenchPaths &paths)
{
    return paths.runs / run.uuid;
}

std::int64_t runDiskBytes(const store::RunRecord &run, const WorkbenchPaths &paths)
{
    return store::folderBytes(runFolderOf(run, paths));
}

fs::path baseModelDirOf(const store::RunRecord &run, const WorkbenchPaths &paths)
{
    const auto spec = nlohmann::json::parse(run.specJson, nullptr, false);
    const auto base = spec.is_object() ? spec.value("base_model", std::string("builtin"))
                                       : std::string("builtin");
    return base == "builtin" ? paths.builtin_model : fs::path(base);
}

engine::ExportSource exportSourceOf(store::RunStore &db, const WorkbenchPaths &paths,
                                    std::int64_t runId, std::optional<std::int64_t> step)
{
    const auto run = db.getRun(runId);
    if (!run)
        throw std::invalid_argument("no run " + std::to_string(runId));
    if (run->method == "pretrain")
        throw std::invalid_argument("run " + std::to_string(runId)
                                    + " built a base model; its folder is a model already");
    const auto checkpoints = db.checkpoints(runId);
    if (checkpoints.empty())
        throw std::invalid_argument("run " + std::to_string(runId) + " has no checkpoint yet");
    const store::CheckpointRow *chosen = &checkpoints.back();
    if (step) {
        chosen = nullptr;
        std::string steps;
        for (const auto &c : checkpoints) {
            if (c.step == *step)
                chosen = &c;
            steps += (steps.empty() ? "" : ", ") + std::to_string(c.step);
        }
        if (!chosen)
            throw std::invalid_argument("run " + std::to_string(runId) + " has no checkpoint at step "
                                        + std::to_string(*step) + " (it has: " + steps + ")");
    }
    if (!fs::exists(chosen->path))
        throw std::invalid_argument("the checkpoint of step " + std::to_string(chosen->step)
                                    + " is gone from disk (" + chosen->path + ")");
    engine::ExportSource source;
    source.base_model_dir = baseModelDirOf(*run, paths);
    source.base_model_name = source.base_model_dir.string(); // "builtin" resolved to its folder
    source.checkpoint_dir = chosen->path;
    source.step = chosen->step;
    return source;
}

engine::MergeRouting mergeRoutingOf(store::RunStore &db, std::int64_t runId,
                                                std::int64_t step, const std::string &choice)
{
    if (!choice.empty() && choice != "mean") {
        std::vector<double> weights;
        std::string item;
        for (char c : choice + ",") {
            if (c != ',') {
                item += c;
                continue;
            }
            size_t used = 0;
            double w = -1;
            try {
                w = std::stod(item, &used);
            } catch (const std::exception &) {
                used = 0;
            }
            if (used == 0 || used != item.size() || w < 0)
                throw std::invalid_argument("--routing: '" + item
                                            + "' is not a non-negative expert weight");
            weights.push_back(w);
            item.clear();
        }
        engine::MergeRouting routing;
        routing.everywhere = weights;
        return routing;
    }
    for (const char *probe : {"downstream", "train"}) {
        using Router = std::pair<std::int64_t, std::string>;
        std::map<std::int64_t, std::map<Router, std::map<std::int64_t, double>>> byStep;
        for (const auto &row : db.routingExpertStats(runId, {}, probe)) {
            if (row.step <= step)
                byStep[row.step][{row.layer, row.site}][row.expert] = row.meanWeight;
        }
        if (byStep.empty())
            continue;
        engine::MergeRouting routing;
        for (const auto &[router, experts] : byStep.rbegin()->second) {
            auto &weights = routing.by_router[router];
            for (const auto &[expert, w] : experts)
                weights.push_back(w);
        }
        return routing;
    }
    throw std::invalid_argument("run " + std::to_string(runId)
                                + " recorded no routing up to step " + std::to_string(step)
                                + "; give the weights with --routing w1,w2,...");
}

std::string importAdapterSpecText(const std::string &adapterDir, const std::string &baseModelDir,
                                  const std::string &name)
{
    return engine::importAdapterSpec(adapterDir, baseModelDir, name);
}

std::string localBaseModelOf(const std::string &adapterDir)
{
    std::ifstream in(fs::path(adapterDir) / "adapter_config.json");
    const auto json = nlohmann::json::parse(in, nullptr, false);
    if (!json.is_object())
        return {};
    std::string base;
    if (json.contains("base_model_name_or_path") && json["base_model_name_or_path"].is_string())
        base = json["base_model_name_or_path"].get<std::string>();
    else if (json.contains("base_model") && json["base_model"].is_object())
        base = json["base_model"].value("base_model_name_or_path", std::string());
    std::error_code ec;
    return !base.empty() && fs::exists(fs::path(base) / "config.json", ec) ? base : std::string();
}

} // namespace slim::jobs
