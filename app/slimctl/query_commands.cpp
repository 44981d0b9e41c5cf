// slimctl runs / show / compare / export: read the run store.
#include "cli_context.h"
#include "jobs/run_exports.h"
#include "jobs/workbench_paths.h"
#include "recorder/checkpoint_retention.h"
#include "command_args.h"
#include "run_table.h"
#include "scores/results_table.h"

#include "train/memory_estimate.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>

namespace slim::cli {

namespace {

std::string optionalPercent(const std::optional<double> &v)
{
    if (!v)
        return "-";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", 100.0 * *v);
    return buf;
}

nlohmann::json optionalJson(const std::optional<double> &v)
{
    return v ? nlohmann::json(*v) : nlohmann::json();
}

// CSV field quoting (RFC 4180).
std::string csv(const std::string &s)
{
    if (s.find_first_of(",\"\n") == std::string::npos)
        return s;
    std::string out = "\"";
    for (char c : s)
        out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

std::string num(double v)
{
    if (!std::isfinite(v))
        return "";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.9g", v);
    return buf;
}

} // namespace

int cmdRuns(const GlobalOptions &g, const RunsArgs &a)
{
    auto paths = jobs::WorkbenchPaths::resolve(g.database);
    store::RunStore db(paths.database.string());
    db.markInterruptedRuns();
    store::RunFilter filter;
    filter.text = a.text;
    filter.method = a.method;
    filter.tag = a.tag;
    filter.limit = a.limit;
    if (!a.status.empty()) {
        filter.status = store::runStatusFromName(a.status);
        if (!filter.status)
            throw std::invalid_argument("--status: '" + a.status
                                        + "' is not one of queued, running, succeeded, failed, "
                                          "cancelled, interrupted");
    }
    auto runs = db.listRuns(filter);
    if (g.json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto &r : runs)
            out.push_back({{"id", r.id}, {"uuid", r.uuid}, {"name", r.name}, {"method", r.method},
                           {"status", std::string(store::runStatusName(r.status))},
                           {"step", r.currentStep}, {"total_steps", r.totalSteps},
                           {"created_at", r.createdAt}, {"finished_at", r.finishedAt},
                           {"downstream_avg", optionalJson(r.downstreamAvg)},
                           {"general_avg", optionalJson(r.generalAvg)},
                           {"forgetting_avg", optionalJson(r.forgettingAvg)}, {"tags", r.tags}});
        std::cout << out.dump(2) << "\n";
        return 0;
    }
    std::printf("%5s  %-24s %-11s %-11s %11s %6s %6s %6s  %s\n", "id", "name", "method", "status",
                "step", "down%", "gen%", "forg", "created");
    for (const auto &r : runs) {
        char step[32];
        std::snprintf(step, sizeof step, "%lld/%lld", static_cast<long long>(r.currentStep),
                      static_cast<long long>(r.totalSteps));
        std::printf("%5lld  %-24s %-11s %-11s %11s %6s %6s %6s  %s\n",
                    static_cast<long long>(r.id), r.name.substr(0, 24).c_str(),
                    r.method.substr(0, 11).c_str(),
                    std::string(store::runStatusName(r.status)).c_str(), step,
                    optionalPercent(r.downstreamAvg).c_str(), optionalPercent(r.generalAvg).c_str(),
                    optionalPercent(r.forgettingAvg).c_str(), r.createdAt.c_str());
    }
    return 0;
}

int cmdShow(const GlobalOptions &g, const std::string &runArg)
{
    auto paths = jobs::WorkbenchPaths::resolve(g.database);
    store::RunStore db(paths.database.string());
    db.markInterruptedRuns();
    const auto id = resolveRunId(db, runArg);
    auto r = *db.getRun(id);
    auto checkpoints = db.checkpoints(id);
    const auto evaluated = db.evaluatedSteps(id);
    auto wasEvaluated = [&](std::int64_t step) {
        return std::find(evaluated.begin(), evaluated.end(), step) != evaluated.end();
    };
    const auto diskBytes = jobs::runDiskBytes(r, paths);
    nlohmann::json out = {
        {"id", r.id}, {"uuid", r.uuid}, {"name", r.name}, {"method", r.method},
        {"status", std::string(store::runStatusName(r.status))}, {"seed", optionalJson(
            r.seed ? std::optional<double>(double(*r.seed)) : std::nullopt)},
        {"git_commit", r.gitCommit}, {"device", r.device},
        {"versions", nlohmann::json::parse(r.versionsJson)},
        {"dataset_hashes", nlohmann::json::parse(r.datasetHashesJson)},
        {"created_at", r.createdAt}, {"started_at", r.startedAt}, {"finished_at", r.finishedAt},
        {"step", r.currentStep}, {"total_steps", r.totalSteps}, {"error", r.errorMessage},
        {"notes", r.notes}, {"tags", r.tags}, {"spec", nlohmann::json::parse(r.specJson)},
        {"disk_bytes", diskBytes}, {"keep_checkpoints", store::keepCheckpointsOf(r)},
        {"checkpoints", nlohmann::json::array()}};
    for (const auto &c : checkpoints)
        out["checkpoints"].push_back({{"step", c.step}, {"path", c.path}, {"bytes", c.bytes},
                                      {"pinned", c.pinned}, {"evaluated", wasEvaluated(c.step)}});
    out["scores"] = comparisonJson(db, {id})["runs"][0];
    if (g.json) {
        std::cout << out.dump(2) << "\n";
        return 0;
    }
    std::cout << "run " << r.id << "  " << r.name << "  (" << r.method << ", "
              << store::runStatusName(r.status) << ")\n"
              << "uuid " << r.uuid << "\ncreated " << r.createdAt << "  finished "
              << (r.finishedAt.empty() ? "-" : r.finishedAt) << "\nstep " << r.currentStep << "/"
              << r.totalSteps << "  device " << r.device << "  git " << r.gitCommit << "\n";
    if (!r.errorMessage.empty())
        std::cout << "message: " << r.errorMessage << "\n";
    std::cout << "spec: " << nlohmann::json::parse(r.specJson).dump() << "\n";
    std::cout << "disk use " << engine::formatBytes(diskBytes) << " (" << checkpoints.size()
              << " checkpoints kept; policy: the last " << store::keepCheckpointsOf(r)
              << " plus evaluated and pinned ones)\n";
    for (const auto &c : checkpoints)
        std::cout << "checkpoint step " << c.step << ": " << c.path << "  " << engine::formatBytes(c.bytes)
                  << (c.pinned ? "  pinned" : "") << (wasEvaluated(c.step) ? "  evaluated" : "")
                  << "\n";
    printComparison(db, {id}, false, std::cout);
    return 0;
}

int cmdCompare(const GlobalOptions &g, const std::vector<std::string> &runs,
               const std::string &format)
{
    auto paths = jobs::WorkbenchPaths::resolve(g.database);
    store::RunStore db(paths.database.string());
    std::vector<std::int64_t> ids;
    for (const auto &r : runs)
        ids.push_back(resolveRunId(db, r));
    if (const auto table = scores::tableFormatFromName(format))
        printResultsTable(db, ids, *table, std::cout);
    else
        printComparison(db, ids, g.json, std::cout);
    return 0;
}

int cmdExport(const GlobalOptions &g, const ExportArgs &a)
{
    auto paths = jobs::WorkbenchPaths::resolve(g.database);
    store::RunStore db(paths.database.string());
    const auto id = resolveRunId(db, a.run);
    std::ofstream file;
    if (!a.out.empty()) {
        file.open(a.out);
        if (!file)
            throw std::invalid_argument("--out: cannot write " + a.out);
    }
    std::ostream &out = a.out.empty() ? std::cout : file;
    if (a.table == "metrics") {
        out << "step,name,value\n";
        for (const auto &name : db.metricNames(id))
            for (const auto &b : db.series(id, name, 1 << 30))
                out << b.lastStep << "," << csv(name) << "," << num(b.last) << "\n";
    } else if (a.table == "eval") {
        out << "step,task,kind,split,metric,mode,value,stderr,n,template_hash,task_version,"
               "is_final,floor\n";
        for (const auto &r : db.evalResults(id))
            out << r.step << "," << csv(r.task) << "," << store::taskKindName(r.kind) << ","
                << csv(r.split) << "," << csv(r.metric) << "," << store::scoringModeName(r.mode)
                << "," << num(r.value) << "," << (r.stderr_ ? num(*r.stderr_) : "") << ","
                << r.n << "," << r.templateHash << "," << csv(r.taskVersion) << ","
                << (r.isFinal ? 1 : 0) << "," << (r.floor ? num(*r.floor) : "") << "\n";
    } else if (a.table == "routing") {
        out << "step,probe,layer,site,expert,is_identity,mean_weight,selection_share\n";
        for (const auto &r : db.routingExpertStats(id))
            out << r.step << "," << csv(r.probe) << "," << r.layer << "," << csv(r.site) << ","
                << r.expert << "," << (r.isIdentity ? 1 : 0) << "," << num(r.meanWeight) << ","
                << num(r.selectionShare) << "\n";
    } else if (a.table == "clusters") {
        out << "step,probe,layer,scored,dplus_mean,dplus_max,dplus_positive_share,reference\n";
        for (const auto &r : db.clusterLayerStats(id))
            out << r.step << "," << csv(r.probe) << "," << r.layer << "," << r.scored << ","
                << num(r.dplusMean) << "," << num(r.dplusMax) << "," << num(r.dplusPositiveShare)
                << "," << num(r.reference) << "\n";
    } else {
        throw std::invalid_argument("--table: '" + a.table
                                    + "' is not one of eval, metrics, routing, clusters");
    }
    return 0;
}

} // namespace slim::cli
