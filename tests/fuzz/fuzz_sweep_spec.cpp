// A sweep spec as `slimctl sweep submit` and the window's Sweep form read it
// (sweeps/sweep_spec.h): validated, then expanded when it is valid. Documented errors:
// std::invalid_argument listing every problem; a sweep that validates must expand, into runs
// whose specs validate, with distinct ids, and load again from its own JSON as the same sweep.
#include "fuzz_support.h"

#include "pipeline/run_spec.h"
#include "sweeps/sweep_spec.h"

#include <set>
#include <stdexcept>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const auto input = slim::fuzz::jsonInput(data, size);
    if (!input)
        return 0;
    // Bases given as file names resolve in an empty folder: the input alone decides.
    const auto folder = std::filesystem::path("/nonexistent-fuzz-folder");
    const auto check = slim::sweeps::checkSweep(*input, folder);
    const auto &errors = check.errors;
    try {
        const auto sweep = slim::sweeps::sweepFromJson(*input, folder);
        if (!errors.empty() || sweep.uuid != check.sweep.uuid)
            __builtin_trap();
        std::set<std::string> ids;
        for (const auto &run : sweep.runs) {
            if (!slim::engine::validateRunSpec(run.spec).empty())
                __builtin_trap();
            ids.insert(run.uuid);
        }
        if (ids.size() != sweep.runs.size())
            __builtin_trap();
        const auto again = slim::sweeps::sweepFromJson(sweep.toJson(), folder);
        if (again.uuid != sweep.uuid || again.runs.size() != sweep.runs.size())
            __builtin_trap();
    } catch (const std::invalid_argument &) {
        if (errors.empty()) // valid, yet refused
            __builtin_trap();
    }
    return 0;
}
