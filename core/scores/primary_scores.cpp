#include "scores/primary_scores.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <utility>

namespace slim::scores {

bool isPrimaryScore(std::string_view metric, ScoringMode mode,
                    const std::set<ScoringMode> &modesOfTask)
{
    if (metric == "exact_match" || metric == "bits_per_byte")
        return true;
    if (metric != "acc")
        return false;
    return mode == (modesOfTask.count(ScoringMode::LogLikelihood) ? ScoringMode::LogLikelihood
                                                                  : ScoringMode::LabelLogits);
}

bool isFractionScore(std::string_view metric)
{
    return metric == "acc" || metric == "exact_match";
}

const ScorePoint *TaskSeries::finalPoint() const
{
    // Points are sorted (probe points, then final ones by step): the latest final evaluation.
    return !points.empty() && points.back().isFinal ? &points.back() : nullptr;
}

namespace {

// The series of the evaluations `keep` accepts, one per task: general tasks first, then by name.
template<typename Keep>
std::vector<TaskSeries> seriesOf(const RunScores &scores, Keep &&keep)
{
    std::map<std::string, std::set<ScoringMode>> modesByTask;
    for (const auto &e : scores.evals)
        modesByTask[e.task].insert(e.mode);
    // (general first, task) -> series
    std::map<std::pair<int, std::string>, TaskSeries> byTask;
    for (const auto &e : scores.evals) {
        if (!keep(e, modesByTask[e.task]))
            continue;
        const bool general = e.kind == store::TaskKind::General;
        auto &t = byTask[{general ? 0 : 1, e.task}];
        if (t.task.empty()) {
            t.task = e.task;
            t.split = e.split;
        }
        t.metric = e.metric;
        t.mode = e.mode;
        t.kind = e.kind;
        t.higherIsBetter = higherIsBetter(e.metric);
        if (!e.isFinal)
            t.split = e.split;
        ScorePoint p;
        p.step = e.step;
        p.isFinal = e.isFinal;
        p.value = e.value;
        p.stderr_ = e.stderr_;
        p.n = e.n;
        p.floor = e.floor;
        if (const auto *b = baseScoreOf(e, scores.baseScores)) {
            p.base = b->value;
            p.baseStderr = b->stderr_;
        }
        if (general && p.base)
            p.forgetting = forgetting(e.metric, *p.base, e.value);
        t.points.push_back(p);
    }
    std::vector<TaskSeries> out;
    for (auto &[key, t] : byTask) {
        std::stable_sort(t.points.begin(), t.points.end(), [](const auto &a, const auto &b) {
            return std::tie(a.isFinal, a.step) < std::tie(b.isFinal, b.step);
        });
        out.push_back(std::move(t));
    }
    return out;
}

} // namespace

std::vector<TaskSeries> primaryScores(const RunScores &scores)
{
    return seriesOf(scores, [](const store::EvalRow &e, const std::set<ScoringMode> &modes) {
        return isPrimaryScore(e.metric, e.mode, modes);
    });
}

std::vector<TaskSeries> partialCreditScores(const RunScores &scores)
{
    return seriesOf(scores, [](const store::EvalRow &e, const std::set<ScoringMode> &) {
        return e.metric == "char_accuracy";
    });
}

} // namespace slim::scores
