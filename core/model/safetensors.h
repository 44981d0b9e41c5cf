#pragma once
// Reader and writer of the safetensors format (Hugging Face): an 8-byte little-endian header
// length N, N bytes of JSON header {name: {dtype, shape, data_offsets: [begin, end]},
// "__metadata__": {string: string}}, then the raw little-endian tensor data.

#include <torch/types.h>

#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>

namespace slim::engine {

// Every error reading or writing a safetensors file; the message names the file and, where
// there is one, the tensor.
class SafetensorsError : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

struct SafetensorsFile
{
    std::map<std::string, torch::Tensor> tensors; // CPU tensors in their stored dtype
    std::map<std::string, std::string> metadata;
};

// Storage dtypes: F32, F16, BF16 read and written; F64, I64, I32, I16, I8, U8, BOOL read.
// Throws SafetensorsError for a missing or truncated file, a bad header, an unknown dtype,
// offsets outside the data or not matching the shape.
SafetensorsFile readSafetensors(const std::filesystem::path &path);

// Writes `tensors` (any device, contiguous or not) converted to `storageType` (kFloat, kHalf
// or kBFloat16; integer and bool tensors keep their type). Writes to a temporary file in the
// same folder and renames it, so a crash never leaves a half-written file under `path`.
void writeSafetensors(const std::filesystem::path &path,
                      const std::map<std::string, torch::Tensor> &tensors,
                      torch::ScalarType storageType = torch::kFloat,
                      const std::map<std::string, std::string> &metadata = {});

} // namespace slim::engine
