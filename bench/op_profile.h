#pragma once
// Where the time of a function goes, per ATen operator: LibTorch's legacy profiler records every
// operator call on this thread (forward, and backward, which CPU autograd runs on the calling
// thread); self time = an operator's time minus the operators it called. Used by the bench
// executables' --profile options to find what to fix; the profiler slows small operators down,
// so read shares and call counts, not absolute times.

#include <nlohmann/json.hpp>
#include <torch/csrc/autograd/profiler_legacy.h>

#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace slim::bench {

struct OpStats
{
    double self_us = 0;
    int64_t calls = 0;
};

inline std::map<std::string, OpStats> profileOps(const std::function<void()> &fn)
{
    namespace prof = torch::autograd::profiler;
    torch::profiler::impl::ProfilerConfig config(torch::profiler::impl::ProfilerState::CPU);
    prof::enableProfilerLegacy(config);
    fn();
    auto lists = prof::disableProfilerLegacy();
    std::map<std::string, OpStats> stats;
    for (auto &list : lists) {
        struct Open
        {
            const prof::LegacyEvent *event;
            double children_us;
        };
        std::vector<Open> stack;
        for (auto &event : list) {
            if (event.kind() == prof::EventKind::PushRange) {
                stack.push_back({&event, 0.0});
            } else if (event.kind() == prof::EventKind::PopRange && !stack.empty()) {
                auto open = stack.back();
                stack.pop_back();
                const double total = open.event->cpuElapsedUs(event);
                auto &s = stats[open.event->name()];
                s.self_us += total - open.children_us;
                s.calls += 1;
                if (!stack.empty())
                    stack.back().children_us += total;
            }
        }
    }
    return stats;
}

// The `top` operators by self time, as {"op", "self_ms", "share", "calls"} rows, plus totals.
inline nlohmann::json opTable(const std::map<std::string, OpStats> &stats, size_t top = 25)
{
    std::vector<std::pair<std::string, OpStats>> rows(stats.begin(), stats.end());
    std::sort(rows.begin(), rows.end(),
              [](const auto &a, const auto &b) { return a.second.self_us > b.second.self_us; });
    double total = 0;
    int64_t calls = 0;
    for (const auto &r : rows) {
        total += r.second.self_us;
        calls += r.second.calls;
    }
    nlohmann::json table = nlohmann::json::array();
    for (size_t i = 0; i < std::min(top, rows.size()); ++i)
        table.push_back({{"op", rows[i].first},
                         {"self_ms", rows[i].second.self_us / 1e3},
                         {"share", rows[i].second.self_us / total},
                         {"calls", rows[i].second.calls}});
    return {{"total_ms", total / 1e3}, {"op_calls", calls}, {"top", table}};
}

} // namespace slim::bench
