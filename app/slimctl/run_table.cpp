#include "run_table.h"

#include "scores/comparability.h"
#include "scores/seed_groups.h"

#include <cmath>
#include <cstdio>
#include <map>
#include <set>

namespace slim::cli {

namespace {

std::string percent(double v)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", 100.0 * v);
    return buf;
}

std::string cell(const nlohmann::json &score)
{
    if (score.is_null())
        return "-";
    const bool bpb = score["metric"] == "bits_per_byte";
    char buf[48];
    const double v = score["value"].get<double>();
    const double se = score.value("stderr", std::nan(""));
    if (bpb)
        std::snprintf(buf, sizeof buf, "%.3f", v);
    else if (std::isfinite(se))
        std::snprintf(buf, sizeof buf, "%s±%.1f", percent(v).c_str(), 100.0 * se);
    else
        std::snprintf(buf, sizeof buf, "%s", percent(v).c_str());
    return buf;
}

// "61.2±1.3": mean ± sample standard deviation, in percent ("61.2" for a single run).
std::string spreadCell(const nlohmann::json &spread)
{
    if (spread["n"].get<int>() == 0)
        return "-";
    std::string text = percent(spread["mean"].get<double>());
    if (!spread["sd"].is_null()) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "±%.1f", 100.0 * spread["sd"].get<double>());
        text += buf;
    }
    return text;
}

// Runs that differ only in seed: mean ± standard deviation over seeds of each average.
void printSeedGroups(const nlohmann::json &groups, std::ostream &out)
{
    if (groups.empty())
        return;
    out << "\nOver seeds (runs that differ only in seed): mean ± standard deviation, in %\n";
    char buf[96];
    std::snprintf(buf, sizeof buf, "%-14s %-12s %16s %16s %16s\n", "method", "seeds",
                  "downstream avg", "general avg", "forgetting");
    out << buf;
    for (const auto &g : groups) {
        std::string seeds;
        for (const auto &seed : g["seeds"]) {
            if (!seeds.empty())
                seeds += ',';
            seeds += std::to_string(seed.get<std::int64_t>());
        }
        std::snprintf(buf, sizeof buf, "%-14s %-12s %16s %16s %16s\n",
                      g["method"].get<std::string>().substr(0, 14).c_str(),
                      seeds.substr(0, 12).c_str(), spreadCell(g["downstream_avg"]).c_str(),
                      spreadCell(g["general_avg"]).c_str(),
                      spreadCell(g["forgetting_avg"]).c_str());
        out << buf;
    }
}

nlohmann::json spreadJson(const scores::Spread &s)
{
    nlohmann::json j = {{"mean", s.mean}, {"n", s.n}};
    j["sd"] = std::isfinite(s.sd) ? nlohmann::json(s.sd) : nlohmann::json(nullptr);
    return j;
}

// One run's final scores: per task (value, stderr, items), the base model's and the untrained
// model's on the same items, forgetting, and the summary; all from core/scores.
nlohmann::json runEntry(const store::RunRecord &run, const scores::RunScores &all,
                        nlohmann::json &base, nlohmann::json &floors)
{
    nlohmann::json entry = {{"id", run.id}, {"name", run.name}, {"method", run.method},
                            {"status", std::string(store::runStatusName(run.status))},
                            {"downstream", nlohmann::json::object()},
                            {"general", nlohmann::json::object()},
                            {"forgetting", nlohmann::json::object()}};
    if (run.seed)
        entry["seed"] = *run.seed;
    for (const auto &task : scores::primaryScores(all)) {
        const auto *p = task.finalPoint();
        if (!p)
            continue;
        const char *suite = task.kind == store::TaskKind::General ? "general" : "downstream";
        const std::string mode(scoringModeName(task.mode));
        nlohmann::json score = {{"value", p->value}, {"metric", task.metric}, {"mode", mode},
                                {"n", p->n}};
        if (p->stderr_)
            score["stderr"] = *p->stderr_;
        if (p->floor) {
            score["floor"] = *p->floor;
            floors[suite][task.task] = {{"value", *p->floor}, {"metric", task.metric},
                                        {"mode", mode}};
        }
        if (p->base) {
            nlohmann::json b = {{"value", *p->base}, {"metric", task.metric}, {"mode", mode}};
            if (p->baseStderr)
                b["stderr"] = *p->baseStderr;
            base[suite][task.task] = b;
        }
        if (p->forgetting)
            entry["forgetting"][task.task] = *p->forgetting;
        entry[suite][task.task] = score;
    }
    const auto summary = scores::summarise(all);
    if (summary.downstream)
        entry["downstream_avg"] = *summary.downstream;
    if (summary.general)
        entry["general_avg"] = *summary.general;
    if (summary.forgetting)
        entry["forgetting_avg"] = *summary.forgetting;
    return entry;
}

} // namespace

std::int64_t resolveRunId(store::RunStore &db, const std::string &text)
{
    if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos) {
        const auto id = std::stoll(text);
        if (db.getRun(id))
            return id;
        throw std::invalid_argument("no run with id " + text);
    }
    std::vector<std::int64_t> matches;
    for (const auto &r : db.listRuns()) {
        if (r.uuid.rfind(text, 0) == 0)
            matches.push_back(r.id);
    }
    if (matches.size() != 1)
        throw std::invalid_argument(matches.empty() ? "no run matches '" + text + "'"
                                                    : "'" + text + "' matches several runs");
    return matches.front();
}

nlohmann::json comparisonJson(store::RunStore &db, const std::vector<std::int64_t> &runIds)
{
    nlohmann::json out = {{"runs", nlohmann::json::array()}, {"warnings", nlohmann::json::array()},
                          {"seed_groups", nlohmann::json::array()}};
    nlohmann::json base = nlohmann::json::object(), floors = nlohmann::json::object();
    std::vector<scores::ComparedScores> compared;
    std::vector<scores::SeededRun> seeded;
    for (auto id : runIds) {
        auto run = db.getRun(id);
        if (!run)
            throw std::invalid_argument("no run with id " + std::to_string(id));
        auto all = scores::readRunScores(db, id, true);
        out["runs"].push_back(runEntry(*run, all, base, floors));
        seeded.push_back(scores::seededRun(*run, all));
        compared.push_back({scores::runLabel(*run), std::move(all), run->datasetHashesJson});
    }
    out["base"] = base;
    out["floor"] = floors;
    for (const auto &finding : scores::comparabilityFindings(compared))
        out["warnings"].push_back(finding.message);
    for (const auto &g : scores::groupBySeed(seeded)) {
        if (g.runIds.size() < 2)
            continue;
        nlohmann::json tasks = nlohmann::json::object();
        nlohmann::json partial = nlohmann::json::object();
        for (const auto &[task, spread] : g.tasks)
            tasks[task] = spreadJson(spread);
        for (const auto &[task, spread] : g.partialCredit)
            partial[task] = spreadJson(spread);
        out["seed_groups"].push_back({{"method", g.method}, {"runs", g.runIds},
                                      {"seeds", g.seeds},
                                      {"downstream_avg", spreadJson(g.downstream)},
                                      {"general_avg", spreadJson(g.general)},
                                      {"forgetting_avg", spreadJson(g.forgetting)},
                                      {"tasks", tasks},
                                      {"char_accuracy", partial}});
    }
    return out;
}

void printResultsTable(store::RunStore &db, const std::vector<std::int64_t> &runIds,
                       scores::TableFormat format, std::ostream &out)
{
    std::vector<scores::TableRun> runs;
    for (auto id : runIds) {
        auto run = db.getRun(id);
        if (!run)
            throw std::invalid_argument("no run with id " + std::to_string(id));
        runs.push_back({*run, scores::readRunScores(db, id, true)});
    }
    scores::writeResultsTable(scores::resultsTable(runs), format, out);
}

void printComparison(store::RunStore &db, const std::vector<std::int64_t> &runIds, bool json,
                     std::ostream &out)
{
    auto table = comparisonJson(db, runIds);
    if (json) {
        out << table.dump(2) << "\n";
        return;
    }
    for (const auto &w : table["warnings"])
        out << "warning: " << w.get<std::string>() << "\n";
    for (const char *suite : {"downstream", "general"}) {
        std::set<std::string> tasks;
        for (const auto &r : table["runs"])
            for (auto &[task, v] : r[suite].items())
                tasks.insert(task);
        if (tasks.empty())
            continue;
        const bool general = std::string(suite) == "general";
        out << "\n" << (general ? "General ability (forgetting probes)"
                                : "Downstream tasks")
            << ", final full test sets; accuracy in %, ± standard error\n";
        char buf[64];
        std::snprintf(buf, sizeof buf, "%-22s", "method");
        out << buf;
        for (const auto &t : tasks) {
            std::snprintf(buf, sizeof buf, " %14s", t.substr(0, 14).c_str());
            out << buf;
        }
        std::snprintf(buf, sizeof buf, " %10s", general ? "avg" : "avg");
        out << buf;
        if (general)
            out << "  forgetting";
        out << "\n";
        auto printRow = [&](const std::string &label, const nlohmann::json &scores,
                            const nlohmann::json &avg, const nlohmann::json &forgetting) {
            std::snprintf(buf, sizeof buf, "%-22s", label.substr(0, 22).c_str());
            out << buf;
            for (const auto &t : tasks) {
                std::snprintf(buf, sizeof buf, " %14s",
                              cell(scores.contains(t) ? scores[t] : nlohmann::json()).c_str());
                out << buf;
            }
            std::snprintf(buf, sizeof buf, " %10s",
                          avg.is_null() ? "-" : percent(avg.get<double>()).c_str());
            out << buf;
            if (general)
                out << "  " << (forgetting.is_null() ? "-" : percent(forgetting.get<double>()));
            out << "\n";
        };
        if (table["floor"].contains(suite))
            printRow("untrained (floor)", table["floor"][suite], nlohmann::json(),
                     nlohmann::json());
        if (table["base"].contains(suite))
            printRow("base model", table["base"][suite], nlohmann::json(), nlohmann::json());
        for (const auto &r : table["runs"])
            printRow(r["name"].get<std::string>(), r[suite],
                     r.value(general ? "general_avg" : "downstream_avg", nlohmann::json()),
                     r.value("forgetting_avg", nlohmann::json()));
    }
    printSeedGroups(table["seed_groups"], out);
    out << "\nbits_per_byte: lower is better; forgetting = base score - run score over the "
           "general accuracy and exact-match tasks, in points.\n";
}

} // namespace slim::cli
