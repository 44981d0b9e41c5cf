#include "scores/comparability.h"

#include "scores/primary_scores.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <functional>
#include <map>
#include <set>

namespace slim::scores {

namespace {

struct Facts
{
    std::string label;
    std::map<std::string, store::EvalRow> finalPrimary; // task -> final primary score row
    std::set<std::string> generalTasks;
    std::string baseModel;
    std::map<std::string, std::string> dataHashes; // dataset -> hash, without the base model
};

std::string joined(const std::set<std::string> &items)
{
    std::string out;
    for (const auto &s : items)
        out += (out.empty() ? "" : ", ") + s;
    return out.empty() ? "none" : out;
}

// "A, B: x; C: y": runs grouped by what they have, in run order, so two runs read as
// "A: label_logits; B: loglikelihood" and ten runs stay one line.
std::string grouped(const std::vector<const Facts *> &facts,
                    const std::function<std::string(const Facts &)> &describe)
{
    std::vector<std::pair<std::string, std::string>> groups; // what -> names
    for (const auto *f : facts) {
        const auto what = describe(*f);
        auto it = std::find_if(groups.begin(), groups.end(),
                               [&](const auto &g) { return g.first == what; });
        if (it == groups.end())
            groups.push_back({what, f->label});
        else
            it->second += ", " + f->label;
    }
    std::string out;
    for (const auto &[what, names] : groups)
        out += (out.empty() ? "" : "; ") + names + ": " + what;
    return out;
}

Facts factsOf(const ComparedScores &run)
{
    Facts f;
    f.label = run.label;
    for (const auto &task : primaryScores(run.scores)) {
        if (task.kind == store::TaskKind::General)
            f.generalTasks.insert(task.task);
    }
    // The latest final row of each task's primary score.
    std::map<std::string, std::set<ScoringMode>> modes;
    for (const auto &e : run.scores.evals)
        modes[e.task].insert(e.mode);
    for (const auto &e : run.scores.evals) {
        if (!e.isFinal || !isPrimaryScore(e.metric, e.mode, modes[e.task]))
            continue;
        auto it = f.finalPrimary.find(e.task);
        if (it == f.finalPrimary.end() || it->second.step <= e.step)
            f.finalPrimary[e.task] = e;
    }
    const auto hashes = nlohmann::json::parse(run.datasetHashesJson, nullptr, false);
    if (hashes.is_object()) {
        for (const auto &[name, value] : hashes.items()) {
            if (!value.is_string())
                continue;
            if (name == "base_model")
                f.baseModel = value.get<std::string>();
            else
                f.dataHashes[name] = value.get<std::string>();
        }
    }
    return f;
}

// Runs that scored `task`, and a finding when `property` of their final primary row differs.
void checkTask(const std::vector<Facts> &facts, const std::string &task, FindingKind kind,
               const std::function<std::string(const store::EvalRow &)> &property,
               const std::string &sentence, std::vector<Finding> &out)
{
    // Only runs that scored the task in the same mode are compared on the rest.
    std::map<ScoringMode, std::vector<const Facts *>> byMode;
    for (const auto &f : facts) {
        if (auto it = f.finalPrimary.find(task); it != f.finalPrimary.end())
            byMode[it->second.mode].push_back(&f);
    }
    for (const auto &[mode, runs] : byMode) {
        std::set<std::string> values;
        for (const auto *f : runs)
            values.insert(property(f->finalPrimary.at(task)));
        if (values.size() < 2)
            continue;
        const auto text = grouped(runs, [&](const Facts &f) {
            return property(f.finalPrimary.at(task));
        });
        out.push_back({kind, task, "Task " + task + " was scored " + sentence + " (" + text
                                       + "); its scores are not comparable."});
    }
}

} // namespace

std::vector<Finding> comparabilityFindings(const std::vector<ComparedScores> &runs)
{
    std::vector<Facts> facts;
    for (const auto &run : runs) {
        if (!run.scores.evals.empty())
            facts.push_back(factsOf(run));
    }
    std::vector<Finding> out;
    if (facts.size() < 2)
        return out;
    std::vector<const Facts *> all;
    for (const auto &f : facts)
        all.push_back(&f);

    // Scoring modes, per task: label logits and log-likelihood put different numbers on the
    // same items. Extra tasks in one run are not a conflict.
    std::map<std::string, std::set<ScoringMode>> modesByTask;
    for (const auto &f : facts)
        for (const auto &[task, row] : f.finalPrimary)
            modesByTask[task].insert(row.mode);
    if (std::any_of(modesByTask.begin(), modesByTask.end(),
                    [](const auto &entry) { return entry.second.size() > 1; })) {
        const auto modes = grouped(all, [](const Facts &f) {
            std::set<std::string> names;
            for (const auto &[task, row] : f.finalPrimary)
                names.insert(std::string(scoringModeName(row.mode)));
            return joined(names);
        });
        out.push_back({FindingKind::ScoringMode, "",
                       "Scores were computed with different scoring modes (" + modes
                           + "); they are not comparable."});
    }
    for (const auto &[task, modes] : modesByTask) {
        checkTask(facts, task, FindingKind::Template,
                  [](const store::EvalRow &r) { return r.templateHash; },
                  "with different prompt templates", out);
        checkTask(facts, task, FindingKind::Shots,
                  [](const store::EvalRow &r) { return std::to_string(r.shots) + " shots"; },
                  "with different numbers of shots", out);
        checkTask(facts, task, FindingKind::ItemCount,
                  [](const store::EvalRow &r) { return std::to_string(r.n) + " items"; },
                  "on different numbers of items", out);
        checkTask(facts, task, FindingKind::TaskVersion,
                  [](const store::EvalRow &r) { return r.taskVersion; },
                  "on different versions of its items", out);
    }

    const auto &general = facts.front().generalTasks;
    if (std::any_of(facts.begin(), facts.end(),
                    [&](const Facts &f) { return f.generalTasks != general; })) {
        out.push_back({FindingKind::GeneralSuite, "",
                       "Runs were evaluated on different general tasks ("
                           + grouped(all, [](const Facts &f) { return joined(f.generalTasks); })
                           + "); their forgetting averages different tasks."});
    }

    // Forgetting is measured against the base model's scores; different bases make both axes
    // incomparable. Runs that recorded no base model say nothing here.
    std::vector<const Facts *> withBase;
    std::set<std::string> bases;
    for (const auto &f : facts) {
        if (!f.baseModel.empty()) {
            withBase.push_back(&f);
            bases.insert(f.baseModel);
        }
    }
    if (bases.size() > 1) {
        out.push_back({FindingKind::BaseModel, "",
                       "Runs start from different base models ("
                           + grouped(withBase,
                                     [](const Facts &f) { return f.baseModel.substr(0, 12); })
                           + "); their scores and forgetting are not comparable."});
    }

    // A dataset named by several runs with different contents.
    std::set<std::string> datasets;
    for (const auto &f : facts)
        for (const auto &[name, hash] : f.dataHashes)
            datasets.insert(name);
    for (const auto &name : datasets) {
        std::vector<const Facts *> naming;
        std::set<std::string> hashes;
        for (const auto &f : facts) {
            if (auto it = f.dataHashes.find(name); it != f.dataHashes.end()) {
                naming.push_back(&f);
                hashes.insert(it->second);
            }
        }
        if (hashes.size() < 2)
            continue;
        const auto text = grouped(naming, [&](const Facts &f) {
            return f.dataHashes.at(name).substr(0, 12);
        });
        out.push_back({FindingKind::DataHash, name,
                       "Runs used different data for " + name + " (" + text
                           + "); their scores on it are not comparable."});
    }
    return out;
}

} // namespace slim::scores
