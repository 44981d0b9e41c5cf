#pragma once
// The header of a safetensors file (Hugging Face), read and checked without LibTorch: an 8-byte
// little-endian header length N, N bytes of JSON {name: {dtype, shape, data_offsets: [begin,
// end]}, "__metadata__": {string: string}}, then the raw tensor data. safetensors.h maps the
// entries to tensors; this part is what a hostile or damaged file reaches first (fuzzed in
// tests/fuzz).

#include <cstdint>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace slim::engine {

// Every error reading or writing a safetensors file; the message names the file and, where
// there is one, the tensor.
class SafetensorsError : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

// Throw SafetensorsError "safetensors file '<path>': [tensor '<name>': ]<what>", the one form
// of every reading and writing error.
[[noreturn]] void failSafetensors(const std::filesystem::path &path, const std::string &what);
[[noreturn]] void failSafetensorsTensor(const std::filesystem::path &path,
                                        const std::string &name, const std::string &what);

// The header key of the file's string metadata (every other key names a tensor).
inline constexpr std::string_view kSafetensorsMetadataKey = "__metadata__";

// The storage dtypes the format names ("F32", "BF16", ...) with their element sizes in bytes;
// 0 for a name the reader does not know.
int64_t safetensorsElementSize(std::string_view dtype);

// One tensor of the header: its bytes are [begin, end) of the data after the header.
struct SafetensorsHeaderEntry
{
    std::string dtype; // a name safetensorsElementSize knows
    std::vector<int64_t> shape;
    uint64_t begin = 0, end = 0;
};

struct SafetensorsHeader
{
    std::map<std::string, SafetensorsHeaderEntry> entries;
    std::map<std::string, std::string> metadata;
    uint64_t data_offset = 0; // where the data starts in the file: 8 + N
};

// Parses and checks the header of the `size` bytes of a file at `bytes` (`path` names it in
// errors). Throws SafetensorsError for a file shorter than its header, a header that is not a
// JSON object, an unknown dtype, a shape or offsets that are not non-negative integers,
// offsets outside the data, not matching the shape, or overlapping another tensor's.
SafetensorsHeader parseSafetensorsHeader(const std::filesystem::path &path, const char *bytes,
                                         uint64_t size);

} // namespace slim::engine
