#pragma once
// The sweep spec: a base run spec plus axes, expanded into runs with stable ids. Std +
// nlohmann-json only (the fuzz build reads it too). Example:
//   {"name": "rank-lr",
//    "base": {"base_model": "builtin", "adapter": {"method": "slim"}, "schedule": {"steps": 400}},
//    "axes": {"method": ["slim", "lora"], "seed": [1, 2, 3],
//             "schedule.lr": [1e-4, 2e-4], "adapter.lora_rank": [8, 16]}}
// "base" is a run spec object, a preset name ("builtin-slim") or a spec file (relative to the
// sweep file's folder). An axis is any run spec field by its path ("method" and "seed" are
// short for "adapter.method" and "seed"), with the values it takes.
//
// Expansion: every combination of axis values, axes in path order, the last axis varying
// fastest; run i of the expansion is the Slurm array task i. The base's method-specific adapter
// options apply only to runs of the methods they belong to; everything else must validate as a
// run spec, or the sweep is refused as a whole, each problem naming the axis values of the runs
// it concerns. Ids are content hashes: the same sweep spec is the same sweep (submitting it
// again continues it), and a run's id is the same on every machine (merging is keyed by it).

#include "spec/field_spec.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace slim::sweeps {

inline constexpr std::size_t kMaxSweepRuns = 10000;

struct SweepAxis
{
    std::string path;                  // run spec field path, e.g. "schedule.lr"
    std::vector<nlohmann::json> values; // in the order given
};

struct SweepRun
{
    std::size_t index = 0; // position in the expansion (the Slurm array task id)
    std::string uuid;      // stable run id
    std::string name;      // "<sweep name> lr=0.0001 seed=2"
    std::vector<std::pair<std::string, nlohmann::json>> assignment; // axis path -> value
    nlohmann::json spec;   // the run spec, every default filled in
};

struct Sweep
{
    std::string name;
    std::string uuid;       // stable sweep id (content hash of name, base and axes)
    nlohmann::json base;    // the base run spec as given (a preset or file resolved)
    std::vector<SweepAxis> axes; // in path order
    std::vector<SweepRun> runs;

    // The sweep document with the base resolved: loads again as the same sweep.
    nlohmann::json toJson() const;
    // "method=slim seed=2": a run's axis values, short names where they are unambiguous.
    std::string describe(const SweepRun &run) const;
};

// Every problem of a sweep document (paths like "axes.schedule.lr" or "base.schedule.steps"),
// each problem of the expanded runs once, with the axis values of a run it concerns.
// `folder` resolves a base given as a file name.
std::vector<spec::SpecError> validateSweep(const nlohmann::json &document,
                                           const std::filesystem::path &folder = {});

// Validates and expands at once: `errors` empty and the expanded sweep, or every problem.
struct SweepCheck
{
    Sweep sweep;
    std::vector<spec::SpecError> errors;
};
SweepCheck checkSweep(const nlohmann::json &document, const std::filesystem::path &folder = {});

// Validates and expands; throws std::invalid_argument listing every problem, one per line.
Sweep sweepFromJson(const nlohmann::json &document, const std::filesystem::path &folder = {});

// Reads a sweep file (JSON); throws std::invalid_argument naming the file, and the line of a
// syntax error, or listing the sweep's problems.
Sweep loadSweepFile(const std::filesystem::path &file);

} // namespace slim::sweeps
