// slimctl export-adapter / export-merged: a run's checkpoint out of the workbench, through the
// same engine functions the window uses.
#include "command_args.h"
#include "run_table.h"

#include "adapters/adapter_config.h"
#include "jobs/run_exports.h"

#include <nlohmann/json.hpp>

#include <iostream>

namespace slim::cli {

namespace {

engine::ExportSource sourceOf(const GlobalOptions &g, const std::string &runArg,
                              std::optional<std::int64_t> step)
{
    const auto paths = jobs::WorkbenchPaths::resolve(g.database);
    store::RunStore db(paths.database.string());
    return jobs::exportSourceOf(db, paths, resolveRunId(db, runArg), step);
}

void report(const GlobalOptions &g, const engine::ExportSource &source, const std::string &what,
            const std::string &out)
{
    if (g.json)
        std::cout << nlohmann::json{{"out", out}, {"kind", what},
                                    {"checkpoint", source.checkpoint_dir.string()},
                                    {"base_model", source.base_model_dir.string()}}
                         .dump()
                  << "\n";
    else
        std::cout << "wrote " << what << " " << out << " (from " << source.checkpoint_dir.string()
                  << ", base " << source.base_model_dir.string() << ")\n";
}

} // namespace

int cmdExportAdapter(const GlobalOptions &g, const ExportAdapterArgs &a)
{
    const auto source = sourceOf(g, a.run, a.step);
    engine::exportAdapter(source, a.format, a.out);
    report(g, source, a.format == "peft" ? "PEFT adapter" : "workbench adapter", a.out);
    return 0;
}

int cmdExportMerged(const GlobalOptions &g, const ExportMergedArgs &a)
{
    const auto paths = jobs::WorkbenchPaths::resolve(g.database);
    store::RunStore db(paths.database.string());
    const auto runId = resolveRunId(db, a.run);
    const auto source = jobs::exportSourceOf(db, paths, runId, a.step);
    // A mixture merges at a routing: the run's own mean routing unless weights are given.
    engine::MergeRouting routing;
    if (engine::isMixture(engine::methodFromName(db.getRun(runId)->method)))
        routing = jobs::mergeRoutingOf(db, runId, source.step, a.routing);
    else if (!a.routing.empty())
        throw std::invalid_argument("--routing applies to mixture runs only (slim, mixlora, "
                                    "mixlora-dy, loramoe, mola)");
    engine::exportMerged(source, a.out, a.dtype, routing);
    report(g, source, "merged model", a.out);
    return 0;
}

} // namespace slim::cli
