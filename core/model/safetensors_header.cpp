#include "safetensors_header.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <limits>
#include <utility>

namespace slim::engine {

// The format is little-endian; the header length is read straight from the bytes.
static_assert(std::endian::native == std::endian::little,
              "safetensors I/O assumes a little-endian host");

namespace {

constexpr std::array<std::pair<std::string_view, int64_t>, 10> kElementSizes {{
    {"F32", 4}, {"F16", 2}, {"BF16", 2}, {"F64", 8}, {"I64", 8},
    {"I32", 4}, {"I16", 2}, {"I8", 1},   {"U8", 1},  {"BOOL", 1},
}};

constexpr uint64_t kMaxInt64 = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());

// JSON keeps non-negative integers as unsigned and negative ones as signed; floats such as 2.0
// are rejected so a sloppy writer is caught rather than silently truncated.
bool readUnsigned(const nlohmann::json &value, uint64_t &out)
{
    if (!value.is_number_unsigned())
        return false;
    out = value.get<uint64_t>();
    return true;
}

// Validates one header entry against the data buffer.
SafetensorsHeaderEntry readEntry(const std::filesystem::path &path, const std::string &name,
                                 const nlohmann::json &entry, uint64_t dataSize)
{
    if (!entry.is_object())
        failSafetensorsTensor(path, name,
                   std::string("entry is a JSON ") + entry.type_name() + ", expected an object");

    auto dtypeIt = entry.find("dtype");
    if (dtypeIt == entry.end())
        failSafetensorsTensor(path, name, "missing 'dtype'");
    if (!dtypeIt->is_string())
        failSafetensorsTensor(path, name, "'dtype' must be a string");
    SafetensorsHeaderEntry out;
    out.dtype = dtypeIt->get<std::string>();
    const auto elementSize = static_cast<uint64_t>(safetensorsElementSize(out.dtype));
    if (elementSize == 0)
        failSafetensorsTensor(path, name, "unknown dtype '" + out.dtype + "'");

    auto shapeIt = entry.find("shape");
    if (shapeIt == entry.end())
        failSafetensorsTensor(path, name, "missing 'shape'");
    if (!shapeIt->is_array())
        failSafetensorsTensor(path, name, "'shape' must be an array");
    // Computed with an overflow guard: a hostile header must not wrap around to a small size.
    uint64_t numel = 1;
    bool numelOverflow = false;
    for (const auto &dimJson : *shapeIt) {
        if (dimJson.is_number_integer() && !dimJson.is_number_unsigned())
            failSafetensorsTensor(path, name,
                                  "negative dimension " + dimJson.dump() + " in 'shape'");
        uint64_t dim = 0;
        if (!readUnsigned(dimJson, dim))
            failSafetensorsTensor(path, name,
                       "'shape' must contain non-negative integers, got " + dimJson.dump());
        if (dim > kMaxInt64)
            failSafetensorsTensor(path, name, "dimension " + std::to_string(dim) + " is too large");
        if (dim != 0 && numel > kMaxInt64 / dim)
            numelOverflow = true;
        else
            numel *= dim;
        out.shape.push_back(static_cast<int64_t>(dim));
    }
    if (std::find(out.shape.begin(), out.shape.end(), 0) != out.shape.end()) {
        numel = 0;
        numelOverflow = false;
    }

    auto offsetsIt = entry.find("data_offsets");
    if (offsetsIt == entry.end())
        failSafetensorsTensor(path, name, "missing 'data_offsets'");
    if (!offsetsIt->is_array() || offsetsIt->size() != 2 || !readUnsigned((*offsetsIt)[0], out.begin)
        || !readUnsigned((*offsetsIt)[1], out.end))
        failSafetensorsTensor(path, name,
                   "'data_offsets' must be two non-negative integers, got " + offsetsIt->dump());
    if (out.begin > out.end)
        failSafetensorsTensor(path, name,
                   "'data_offsets' are reversed (" + std::to_string(out.begin) + " > "
                       + std::to_string(out.end) + ")");
    if (out.end > dataSize)
        failSafetensorsTensor(path, name,
                   "data is truncated: the tensor ends at byte " + std::to_string(out.end)
                       + " but the data buffer has only " + std::to_string(dataSize) + " bytes");

    const uint64_t byteSize = out.end - out.begin;
    if (numelOverflow || numel > kMaxInt64 / elementSize || byteSize != numel * elementSize) {
        const std::string needed = numelOverflow || numel > kMaxInt64 / elementSize
            ? std::string("more than 2^63")
            : std::to_string(numel * elementSize);
        failSafetensorsTensor(path, name,
                   "'data_offsets' span " + std::to_string(byteSize) + " bytes but shape "
                       + shapeIt->dump() + " of " + out.dtype + " needs " + needed + " bytes");
    }
    return out;
}

// Tensors must tile the data buffer without overlapping (as the safetensors library requires);
// overlapping entries would alias each other's bytes.
void checkNoOverlap(const std::filesystem::path &path,
                    const std::map<std::string, SafetensorsHeaderEntry> &entries)
{
    std::vector<std::pair<const std::string *, const SafetensorsHeaderEntry *>> byOffset;
    for (const auto &[name, e] : entries) {
        if (e.end > e.begin)
            byOffset.emplace_back(&name, &e);
    }
    std::sort(byOffset.begin(), byOffset.end(),
              [](const auto &a, const auto &b) { return a.second->begin < b.second->begin; });
    for (size_t i = 1; i < byOffset.size(); ++i) {
        if (byOffset[i].second->begin < byOffset[i - 1].second->end)
            failSafetensorsTensor(path, *byOffset[i].first,
                       "its data overlaps that of tensor '" + *byOffset[i - 1].first + "'");
    }
}

} // namespace

void failSafetensors(const std::filesystem::path &path, const std::string &what)
{
    throw SafetensorsError("safetensors file '" + path.string() + "': " + what);
}

void failSafetensorsTensor(const std::filesystem::path &path, const std::string &name,
                           const std::string &what)
{
    failSafetensors(path, "tensor '" + name + "': " + what);
}

int64_t safetensorsElementSize(std::string_view dtype)
{
    for (const auto &[name, size] : kElementSizes) {
        if (name == dtype)
            return size;
    }
    return 0;
}

SafetensorsHeader parseSafetensorsHeader(const std::filesystem::path &path, const char *bytes,
                                         uint64_t size)
{
    if (size < 8)
        failSafetensors(path,
             "file is truncated: " + std::to_string(size)
                 + " bytes, shorter than the 8-byte header length");
    uint64_t headerSize = 0;
    std::memcpy(&headerSize, bytes, 8);
    const uint64_t available = size - 8;
    if (headerSize > available)
        failSafetensors(path,
             "file is truncated: the header claims " + std::to_string(headerSize)
                 + " bytes but only " + std::to_string(available) + " follow");

    const char *headerBegin = bytes + 8;
    nlohmann::json json;
    try {
        json = nlohmann::json::parse(headerBegin, headerBegin + headerSize);
    } catch (const nlohmann::json::exception &e) {
        failSafetensors(path, std::string("header is not valid JSON: ") + e.what());
    }
    if (!json.is_object())
        failSafetensors(path, std::string("header is a JSON ") + json.type_name()
                                  + ", expected an object");

    SafetensorsHeader header;
    header.data_offset = 8 + headerSize;
    const uint64_t dataSize = available - headerSize;
    for (const auto &[name, entry] : json.items()) {
        if (name == kSafetensorsMetadataKey) {
            if (!entry.is_object())
                failSafetensors(path, "'__metadata__' must be an object");
            for (const auto &[key, value] : entry.items()) {
                if (!value.is_string())
                    failSafetensors(path, "'__metadata__' value of '" + key + "' must be a string");
                header.metadata.emplace(key, value.get<std::string>());
            }
            continue;
        }
        header.entries.emplace(name, readEntry(path, name, entry, dataSize));
    }
    checkNoOverlap(path, header.entries);
    return header;
}

} // namespace slim::engine
