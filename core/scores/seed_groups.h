#pragma once
// Runs that differ only in their seed, aggregated: mean, standard deviation and count of each
// headline number and of each task's final primary score. How tables over seeds are built
// (docs/results.md: mean +- sd over seeds).

#include "scores/run_summary.h"

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace slim::scores {

struct Spread
{
    double mean = 0;
    double sd = 0; // sample standard deviation (n - 1); NaN when n < 2
    int n = 0;
};
// Spread of the values (mean 0, sd NaN, n 0 when empty).
Spread spreadOf(const std::vector<double> &values);

// What a run contributes: its spec (to find its siblings), seed and final scores.
struct SeededRun
{
    std::int64_t id = 0;
    std::string label; // runLabel of the record
    std::string method;
    std::string specJson = "{}";
    std::int64_t seed = 0;
    ScoreSummary summary;
    std::map<std::string, double> finalScores; // task -> final primary score
    std::map<std::string, double> finalPartialCredit; // generation task -> final char_accuracy
};
// A SeededRun from a run record and its scores (summarise / primaryScores of them).
SeededRun seededRun(const store::RunRecord &record, const RunScores &scores);

struct SeedGroup
{
    std::string method;
    std::vector<std::int64_t> runIds; // in input order
    std::vector<std::int64_t> seeds;
    Spread downstream, general, forgetting;
    std::map<std::string, Spread> tasks; // over the runs that scored the task
    std::map<std::string, Spread> partialCredit; // generation tasks' char_accuracy
};

// The spec with what does not change the experiment removed (seed, name): runs with equal keys
// are seeds of one configuration. An unparsable spec is its own key.
std::string configurationKey(std::string_view specJson);

// Groups of runs with the same configuration key, in the order of their first run; a run with
// no sibling is a group of one.
std::vector<SeedGroup> groupBySeed(const std::vector<SeededRun> &runs);

} // namespace slim::scores
