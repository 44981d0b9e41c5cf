#include "compare_warnings.h"

#include "compare/compared_run.h"
#include "run_scores.h"

#include <QString>

#include <algorithm>
#include <functional>
#include <iterator>
#include <map>
#include <set>

namespace slim::ui {

namespace {

struct RunFacts
{
    QString name;
    std::map<std::string, store::ScoringMode> primaryMode; // task -> mode of its primary score
    std::set<std::string> generalTasks;
    std::set<std::string> baseModels; // model hashes of the cached base scores
};

QString joined(const std::set<std::string> &items, const QString &empty)
{
    QStringList out;
    for (const auto &s : items)
        out << QString::fromStdString(s);
    return out.isEmpty() ? empty : out.join(QStringLiteral(", "));
}

// "A, B: x; C: y": runs grouped by what they have, in run order, so two runs read as the
// message a user expects ("A: label_logits; B: loglikelihood") and ten runs stay one line.
QString grouped(const std::vector<RunFacts> &facts,
                const std::function<QString(const RunFacts &)> &describe)
{
    std::vector<std::pair<QString, QStringList>> groups;
    for (const auto &f : facts) {
        const QString what = describe(f);
        auto it = std::find_if(groups.begin(), groups.end(),
                               [&](const auto &g) { return g.first == what; });
        if (it == groups.end())
            groups.push_back({what, {f.name}});
        else
            it->second << f.name;
    }
    QStringList parts;
    for (const auto &[what, names] : groups)
        parts << names.join(QStringLiteral(", ")) + QStringLiteral(": ") + what;
    return parts.join(QStringLiteral("; "));
}

bool modesConflict(const std::vector<RunFacts> &facts)
{
    // Per task: a run that scored a task by label logits and another by log-likelihood put
    // different numbers on the same items. Extra tasks in one run (an exact-match task the
    // other lacks) are not a conflict.
    std::map<std::string, std::set<store::ScoringMode>> modesByTask;
    for (const auto &f : facts)
        for (const auto &[task, mode] : f.primaryMode)
            modesByTask[task].insert(mode);
    for (const auto &[task, modes] : modesByTask)
        if (modes.size() > 1)
            return true;
    return false;
}

} // namespace

QStringList comparabilityWarnings(const std::vector<services::RunDetailPtr> &runs)
{
    std::vector<RunFacts> facts;
    for (const auto &detail : runs) {
        if (!detail || detail->data.evals.empty())
            continue;
        RunFacts f;
        f.name = runLabel(detail->record);
        for (const auto &t : services::primaryScores(*detail)) {
            f.primaryMode[t.task] = t.mode;
            if (t.kind == store::TaskKind::General)
                f.generalTasks.insert(t.task);
        }
        for (const auto &b : detail->baseScores)
            f.baseModels.insert(b.key.modelHash);
        facts.push_back(std::move(f));
    }
    QStringList warnings;
    if (facts.size() < 2)
        return warnings;

    if (modesConflict(facts)) {
        const auto modes = grouped(facts, [](const RunFacts &f) {
            std::set<std::string> names;
            for (const auto &[task, mode] : f.primaryMode)
                names.insert(std::string(store::scoringModeName(mode)));
            return joined(names, QStringLiteral("none"));
        });
        warnings << QStringLiteral("Scores were computed with different scoring modes (%1); "
                                   "they are not comparable.")
                        .arg(modes);
    }

    const auto &general = facts.front().generalTasks;
    if (std::any_of(facts.begin(), facts.end(),
                    [&](const RunFacts &f) { return f.generalTasks != general; })) {
        const auto tasks = grouped(facts, [](const RunFacts &f) {
            return joined(f.generalTasks, QStringLiteral("none"));
        });
        warnings << QStringLiteral("Runs were evaluated on different general tasks (%1); "
                                   "their forgetting averages different tasks.")
                        .arg(tasks);
    }

    // Forgetting is measured against the base model's scores; different bases make both axes
    // incomparable. Runs without cached base scores say nothing here.
    std::set<std::string> bases;
    for (const auto &f : facts)
        bases.insert(f.baseModels.begin(), f.baseModels.end());
    if (bases.size() > 1) {
        std::vector<RunFacts> withBase;
        std::copy_if(facts.begin(), facts.end(), std::back_inserter(withBase),
                     [](const RunFacts &f) { return !f.baseModels.empty(); });
        const auto models = grouped(withBase, [](const RunFacts &f) {
            return joined(f.baseModels, QStringLiteral("none"));
        });
        warnings << QStringLiteral("Runs start from different base models (%1); their scores "
                                   "and forgetting are not comparable.")
                        .arg(models);
    }
    return warnings;
}

} // namespace slim::ui
