// A model folder's config.json (model/llama_config.h): parsed as the loader parses it, then
// validated. Documented errors: the JSON parser's exceptions (the loader names the file), and
// std::invalid_argument naming the field.
#include "fuzz_support.h"

#include "model/llama_config.h"

#include <nlohmann/json.hpp>

#include <stdexcept>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const auto input = slim::fuzz::jsonInput(data, size);
    if (!input)
        return 0;
    const auto &json = *input;
    try {
        const auto config = slim::engine::LlamaConfig::fromJson(json);
        config.validate();
        (void)config.toJson();
        for (int64_t layer = 0; layer < config.num_hidden_layers && layer < 64; ++layer)
            (void)config.slidingWindowOf(layer);
    } catch (const std::invalid_argument &) {
    }
    return 0;
}
