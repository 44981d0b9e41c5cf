// A run spec as `slimctl train SPEC` and the window's import read it (pipeline/run_spec.h):
// validated, then built when it is valid. Documented errors: the JSON parser's exceptions,
// std::invalid_argument listing every problem; a spec that validates must build.
#include "fuzz_support.h"

#include "pipeline/run_spec.h"

#include <nlohmann/json.hpp>

#include <stdexcept>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const auto input = slim::fuzz::jsonInput(data, size);
    if (!input)
        return 0;
    const auto &json = *input;
    const auto errors = slim::engine::validateRunSpec(json);
    try {
        const auto spec = slim::engine::runSpecFromJson(json);
        // A built spec writes itself back and reads again as the same spec.
        if (!slim::engine::validateRunSpec(spec.toJson()).empty())
            __builtin_trap();
    } catch (const std::invalid_argument &) {
        if (errors.empty()) // valid, yet refused
            __builtin_trap();
    }
    return 0;
}
