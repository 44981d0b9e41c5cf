#include "scores/seed_groups.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>

namespace slim::scores {

Spread spreadOf(const std::vector<double> &values)
{
    Spread s;
    s.n = int(values.size());
    s.sd = std::numeric_limits<double>::quiet_NaN();
    if (values.empty())
        return s;
    for (double v : values)
        s.mean += v;
    s.mean /= double(values.size());
    if (values.size() < 2)
        return s;
    double ss = 0;
    for (double v : values)
        ss += (v - s.mean) * (v - s.mean);
    s.sd = std::sqrt(ss / double(values.size() - 1));
    return s;
}

SeededRun seededRun(const store::RunRecord &record, const RunScores &scores)
{
    SeededRun run;
    run.id = record.id;
    run.label = runLabel(record);
    run.method = record.method;
    run.specJson = record.specJson;
    run.seed = record.seed.value_or(0);
    run.summary = summarise(scores);
    for (const auto &task : primaryScores(scores)) {
        if (const auto *p = task.finalPoint())
            run.finalScores[task.task] = p->value;
    }
    for (const auto &task : partialCreditScores(scores)) {
        if (const auto *p = task.finalPoint())
            run.finalPartialCredit[task.task] = p->value;
    }
    return run;
}

std::string configurationKey(std::string_view specJson)
{
    auto spec = nlohmann::json::parse(specJson, nullptr, false);
    if (!spec.is_object())
        return std::string(specJson);
    spec.erase("seed");
    spec.erase("name");
    return spec.dump();
}

std::vector<SeedGroup> groupBySeed(const std::vector<SeededRun> &runs)
{
    std::vector<std::string> keys;
    std::vector<std::vector<const SeededRun *>> members;
    for (const auto &run : runs) {
        const auto key = configurationKey(run.specJson) + "\x1f" + run.method;
        std::size_t i = 0;
        while (i < keys.size() && keys[i] != key)
            ++i;
        if (i == keys.size()) {
            keys.push_back(key);
            members.emplace_back();
        }
        members[i].push_back(&run);
    }
    std::vector<SeedGroup> out;
    for (const auto &group : members) {
        SeedGroup g;
        g.method = group.front()->method;
        std::vector<double> down, general, forget;
        std::map<std::string, std::vector<double>> tasks, partial;
        for (const auto *run : group) {
            g.runIds.push_back(run->id);
            g.seeds.push_back(run->seed);
            if (run->summary.downstream)
                down.push_back(*run->summary.downstream);
            if (run->summary.general)
                general.push_back(*run->summary.general);
            if (run->summary.forgetting)
                forget.push_back(*run->summary.forgetting);
            for (const auto &[task, value] : run->finalScores)
                tasks[task].push_back(value);
            for (const auto &[task, value] : run->finalPartialCredit)
                partial[task].push_back(value);
        }
        g.downstream = spreadOf(down);
        g.general = spreadOf(general);
        g.forgetting = spreadOf(forget);
        for (const auto &[task, values] : tasks)
            g.tasks[task] = spreadOf(values);
        for (const auto &[task, values] : partial)
            g.partialCredit[task] = spreadOf(values);
        out.push_back(std::move(g));
    }
    return out;
}

} // namespace slim::scores
