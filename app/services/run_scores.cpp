#include "run_scores.h"

#include "recorder/run_recorder.h"

#include <algorithm>
#include <map>
#include <tuple>

namespace slim::services {

namespace {

using store::EvalRow;

std::optional<double> baseOf(const RunDetail &detail, const EvalRow &row)
{
    for (const auto &b : detail.baseScores) {
        const auto &k = b.key;
        if (k.task == row.task && k.split == row.split && k.metric == row.metric
            && k.mode == row.mode && k.templateHash == row.templateHash && k.shots == row.shots
            && k.taskVersion == row.taskVersion)
            return b.value;
    }
    return std::nullopt;
}

bool isChoiceAccuracy(const TaskScores &t)
{
    return t.metric == "acc";
}

} // namespace

std::vector<TaskScores> primaryScores(const RunDetail &detail)
{
    const auto &evals = detail.data.evals;
    std::map<std::string, std::vector<std::string>> modes; // task -> modes present
    for (const auto &e : evals)
        modes[e.task].push_back(std::string(store::scoringModeName(e.mode)));
    // (kind general first, task) -> scores
    std::map<std::pair<int, std::string>, TaskScores> byTask;
    for (const auto &e : evals) {
        if (!store::isPrimaryScore(e.metric, std::string(store::scoringModeName(e.mode)),
                                   modes[e.task]))
            continue;
        const bool general = e.kind == store::TaskKind::General;
        auto &t = byTask[{general ? 0 : 1, e.task}];
        t.task = e.task;
        t.metric = e.metric;
        t.mode = e.mode;
        t.kind = e.kind;
        t.higherIsBetter = e.metric != "bits_per_byte";
        if (!e.isFinal)
            t.split = e.split;
        t.points.push_back({e.step, e.isFinal, e.value, baseOf(detail, e), e.floor});
    }
    std::vector<TaskScores> out;
    for (auto &[key, t] : byTask) {
        std::stable_sort(t.points.begin(), t.points.end(), [](const auto &a, const auto &b) {
            return std::tie(a.isFinal, a.step) < std::tie(b.isFinal, b.step);
        });
        out.push_back(std::move(t));
    }
    return out;
}

std::vector<TradeoffPoint> tradeoff(const RunDetail &detail)
{
    struct Sums
    {
        double down = 0, forget = 0;
        int nDown = 0, nForget = 0;
    };
    std::map<std::pair<bool, std::int64_t>, Sums> byEval; // (isFinal, step)
    for (const auto &t : primaryScores(detail)) {
        if (!isChoiceAccuracy(t) && t.metric != "exact_match")
            continue;
        for (const auto &p : t.points) {
            auto &s = byEval[{p.isFinal, p.step}];
            if (t.kind == store::TaskKind::Downstream) {
                s.down += p.value;
                ++s.nDown;
            } else if (p.base && isChoiceAccuracy(t)) {
                s.forget += *p.base - p.value;
                ++s.nForget;
            }
        }
    }
    std::vector<TradeoffPoint> out;
    for (const auto &[key, s] : byEval) {
        TradeoffPoint p;
        p.isFinal = key.first;
        p.step = key.second;
        if (s.nDown)
            p.downstream = s.down / s.nDown;
        if (s.nForget)
            p.forgetting = s.forget / s.nForget;
        out.push_back(p);
    }
    return out;
}

std::set<store::ScoringMode> scoringModes(const RunDetail &detail)
{
    std::set<store::ScoringMode> modes;
    for (const auto &e : detail.data.evals)
        modes.insert(e.mode);
    return modes;
}

std::vector<std::size_t> paretoFront(const std::vector<TradeoffPoint> &points)
{
    auto complete = [&](std::size_t i) {
        return points[i].downstream.has_value() && points[i].forgetting.has_value();
    };
    std::vector<std::size_t> front;
    for (std::size_t i = 0; i < points.size(); ++i) {
        if (!complete(i))
            continue;
        const double d = *points[i].downstream, f = *points[i].forgetting;
        bool dominated = false;
        for (std::size_t j = 0; j < points.size() && !dominated; ++j) {
            if (j == i || !complete(j))
                continue;
            const double dj = *points[j].downstream, fj = *points[j].forgetting;
            dominated = dj >= d && fj <= f && (dj > d || fj < f);
        }
        if (!dominated)
            front.push_back(i);
    }
    std::sort(front.begin(), front.end(), [&](std::size_t a, std::size_t b) {
        return *points[a].downstream < *points[b].downstream;
    });
    return front;
}

} // namespace slim::services
