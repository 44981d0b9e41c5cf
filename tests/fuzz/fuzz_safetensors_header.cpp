// A safetensors file as the model loader reads it: the 8-byte length, the JSON header and the
// data (model/safetensors_header.h). Documented error: SafetensorsError.
#include "fuzz_support.h"

#include "model/safetensors_header.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    try {
        const auto header = slim::engine::parseSafetensorsHeader(
            "fuzz.safetensors", reinterpret_cast<const char *>(data), size);
        // What the loader then relies on: every entry inside the data, sized by its shape.
        for (const auto &[name, e] : header.entries) {
            if (e.end > size - header.data_offset || e.begin > e.end)
                __builtin_trap();
        }
    } catch (const slim::engine::SafetensorsError &) {
    }
    return 0;
}
