#include "scores/run_summary.h"

#include <algorithm>
#include <map>
#include <utility>

namespace slim::scores {

namespace {

struct Sums
{
    double down = 0, general = 0, forget = 0;
    int nDown = 0, nGeneral = 0, nForget = 0;

    void add(const TaskSeries &task, const ScorePoint &p)
    {
        if (!isFractionScore(task.metric))
            return;
        if (task.kind == store::TaskKind::Downstream) {
            down += p.value;
            ++nDown;
            return;
        }
        general += p.value;
        ++nGeneral;
        if (p.forgetting) {
            forget += *p.forgetting;
            ++nForget;
        }
    }

    ScoreSummary summary() const
    {
        ScoreSummary s;
        if (nDown)
            s.downstream = down / nDown;
        if (nGeneral)
            s.general = general / nGeneral;
        if (nForget)
            s.forgetting = forget / nForget;
        s.downstreamTasks = nDown;
        s.generalTasks = nGeneral;
        s.forgettingTasks = nForget;
        return s;
    }
};

} // namespace

std::vector<TradeoffPoint> tradeoff(const RunScores &scores)
{
    std::map<std::pair<bool, std::int64_t>, Sums> byEval; // (isFinal, step)
    for (const auto &task : primaryScores(scores))
        for (const auto &p : task.points)
            byEval[{p.isFinal, p.step}].add(task, p);
    std::vector<TradeoffPoint> out;
    for (const auto &[key, sums] : byEval) {
        TradeoffPoint p;
        static_cast<ScoreSummary &>(p) = sums.summary();
        p.step = key.second;
        p.isFinal = key.first;
        out.push_back(p);
    }
    return out;
}

ScoreSummary summarise(const RunScores &scores)
{
    Sums sums;
    for (const auto &task : primaryScores(scores)) {
        if (const auto *p = task.finalPoint())
            sums.add(task, *p);
    }
    return sums.summary();
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

} // namespace slim::scores
