#include "run_table.h"

#include "recorder/run_recorder.h"

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
    nlohmann::json out = {{"runs", nlohmann::json::array()}, {"warnings", nlohmann::json::array()}};
    std::set<std::string> modes;
    nlohmann::json base, floors;
    for (auto id : runIds) {
        auto run = db.getRun(id);
        if (!run)
            throw std::invalid_argument("no run with id " + std::to_string(id));
        store::EvalFilter filter;
        filter.finalOnly = true;
        auto rows = db.evalResults(id, filter);
        std::map<std::string, std::vector<std::string>> taskModes;
        for (const auto &r : rows)
            taskModes[r.task].push_back(std::string(store::scoringModeName(r.mode)));
        const auto hashes = nlohmann::json::parse(run->datasetHashesJson);
        const std::string modelHash = hashes.value("base_model", "");
        nlohmann::json entry = {{"id", id}, {"name", run->name}, {"method", run->method},
                                {"status", std::string(store::runStatusName(run->status))},
                                {"downstream", nlohmann::json::object()},
                                {"general", nlohmann::json::object()},
                                {"forgetting", nlohmann::json::object()}};
        for (const auto &r : rows) {
            const auto mode = std::string(store::scoringModeName(r.mode));
            if (!store::isPrimaryScore(r.metric, mode, taskModes[r.task]))
                continue;
            modes.insert(r.metric == "acc" ? mode : r.metric);
            nlohmann::json score = {{"value", r.value}, {"metric", r.metric}, {"mode", mode},
                                    {"n", r.n}};
            if (r.stderr_)
                score["stderr"] = *r.stderr_;
            const bool general = r.kind == store::TaskKind::General;
            if (r.floor) {
                score["floor"] = *r.floor;
                floors[general ? "general" : "downstream"][r.task] = {
                    {"value", *r.floor}, {"metric", r.metric}, {"mode", mode}};
            }
            entry[general ? "general" : "downstream"][r.task] = score;
            auto rowsOfBase = db.baseScores(modelHash, r.task, r.split, r.taskVersion);
            for (const auto &b : rowsOfBase) {
                if (b.key.metric != r.metric || b.key.mode != r.mode)
                    continue;
                nlohmann::json baseScore = {{"value", b.value}, {"metric", r.metric},
                                            {"mode", mode}};
                if (b.stderr_)
                    baseScore["stderr"] = *b.stderr_;
                base[general ? "general" : "downstream"][r.task] = baseScore;
                if (general) {
                    // Positive = forgot: lower accuracy, or more bits per byte.
                    entry["forgetting"][r.task] = r.metric == "bits_per_byte" ? r.value - b.value
                                                                              : b.value - r.value;
                }
            }
        }
        if (run->downstreamAvg)
            entry["downstream_avg"] = *run->downstreamAvg;
        if (run->generalAvg)
            entry["general_avg"] = *run->generalAvg;
        if (run->forgettingAvg)
            entry["forgetting_avg"] = *run->forgettingAvg;
        out["runs"].push_back(entry);
    }
    out["base"] = base;
    out["floor"] = floors;
    if (modes.count("loglikelihood") && modes.count("label_logits"))
        out["warnings"].push_back("runs were scored in different multiple-choice modes "
                                  "(loglikelihood and label_logits): their accuracies are not "
                                  "comparable");
    return out;
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
    out << "\nbits_per_byte: lower is better; forgetting = base accuracy - run accuracy over the "
           "general choice tasks, in points.\n";
}

} // namespace slim::cli
