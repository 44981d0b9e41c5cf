#pragma once
// Reader and writer of the safetensors format (Hugging Face): an 8-byte little-endian header
// length N, N bytes of JSON header {name: {dtype, shape, data_offsets: [begin, end]},
// "__metadata__": {string: string}}, then the raw little-endian tensor data.

#include "safetensors_header.h"

#include <torch/types.h>

#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace slim::engine {

// One tensor of a safetensors file: its bytes are [begin, end) of the data after the header.
struct SafetensorsEntry
{
    torch::ScalarType dtype = torch::kFloat;
    std::vector<int64_t> shape;
    uint64_t begin = 0, end = 0;
};

// A safetensors file mapped into memory (read-only, pages loaded on demand), its header parsed
// and every entry validated on construction. Loading a large checkpoint through views copies
// one tensor at a time to its device and dtype: there is never a full copy in host memory.
// Throws SafetensorsError for a missing or truncated file, a bad header, an unknown dtype,
// offsets outside the data, not matching the shape or overlapping another tensor's.
class SafetensorsMap
{
public:
    explicit SafetensorsMap(const std::filesystem::path &path);
    ~SafetensorsMap();
    SafetensorsMap(const SafetensorsMap &) = delete;
    SafetensorsMap &operator=(const SafetensorsMap &) = delete;

    const std::filesystem::path &path() const { return m_path; }
    const std::map<std::string, SafetensorsEntry> &entries() const { return m_entries; }
    bool contains(const std::string &name) const { return m_entries.count(name) > 0; }
    const SafetensorsEntry &entry(const std::string &name) const; // throws when absent
    const std::map<std::string, std::string> &metadata() const { return m_metadata; }
    // A CPU tensor over the mapped bytes, valid while this map lives. Read it (copy_, to(),
    // clone()); never write to it.
    torch::Tensor view(const std::string &name) const;

private:
    void parseHeader();

    std::filesystem::path m_path;
    const char *m_bytes = nullptr;
    uint64_t m_size = 0;
    const char *m_data = nullptr;
    std::map<std::string, SafetensorsEntry> m_entries;
    std::map<std::string, std::string> m_metadata;
};

struct SafetensorsFile
{
    std::map<std::string, torch::Tensor> tensors; // CPU tensors in their stored dtype
    std::map<std::string, std::string> metadata;
};

// The whole file copied into CPU tensors (for small files: adapters, checkpoints' state).
// Storage dtypes: F32, F16, BF16 read and written; F64, I64, I32, I16, I8, U8, BOOL read.
// Throws SafetensorsError as SafetensorsMap does.
SafetensorsFile readSafetensors(const std::filesystem::path &path);

// Writes `tensors` (any device, contiguous or not) converted to `storageType` (kFloat, kHalf
// or kBFloat16; integer and bool tensors keep their type). Writes to a temporary file in the
// same folder and renames it, so a crash never leaves a half-written file under `path`.
void writeSafetensors(const std::filesystem::path &path,
                      const std::map<std::string, torch::Tensor> &tensors,
                      torch::ScalarType storageType = torch::kFloat,
                      const std::map<std::string, std::string> &metadata = {});

} // namespace slim::engine
