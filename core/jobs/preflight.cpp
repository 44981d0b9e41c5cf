#include "preflight.h"

#include "model/model_io.h"
#include "pipeline/pretraining.h"
#include "pipeline/run_preflight.h"

#include <nlohmann/json.hpp>

namespace slim::jobs {

namespace fs = std::filesystem;

namespace {

// The config of the base a spec names; the built-in model's plan when it is not built yet.
engine::LlamaConfig baseConfigOf(const std::string &baseModel, const WorkbenchPaths &paths)
{
    if (baseModel == "builtin") {
        if (fs::exists(paths.builtin_model / "config.json"))
            return engine::loadConfig(paths.builtin_model);
        return engine::PretrainPlan::builtin().model;
    }
    return engine::loadConfig(baseModel);
}

} // namespace

Preflight describeBaseModel(const std::string &baseModel, const WorkbenchPaths &paths)
{
    try {
        if (baseModel == "builtin" && !fs::exists(paths.builtin_model / "config.json"))
            return {true, true, "the built-in model (built on first use)"};
        return {true, true,
                engine::describeModelFolder(baseModel == "builtin" ? paths.builtin_model.string()
                                                                   : baseModel)};
    } catch (const std::exception &e) {
        return {false, true, e.what()};
    }
}

Preflight checkRunMemory(const std::string &specJson, const WorkbenchPaths &paths,
                         const std::string &device)
{
    try {
        const auto spec = engine::runSpecFromJson(nlohmann::json::parse(specJson));
        const auto check = engine::checkRunMemory(spec, baseConfigOf(spec.base_model, paths),
                                                  device);
        return {true, check.fits(), "Training " + check.summary()};
    } catch (const std::exception &e) {
        return {false, true, e.what()};
    }
}

} // namespace slim::jobs
