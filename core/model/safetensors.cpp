#include "safetensors.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <limits>
#include <string_view>
#include <system_error>
#include <vector>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace slim::engine {

// The format is little-endian and we copy bytes straight into tensor storage.
static_assert(std::endian::native == std::endian::little,
              "safetensors I/O assumes a little-endian host");

namespace {

struct DtypeInfo
{
    std::string_view name;
    torch::ScalarType type;
    int64_t size;
};

constexpr std::array<DtypeInfo, 10> kDtypes {{
    {"F32", torch::kFloat, 4},
    {"F16", torch::kHalf, 2},
    {"BF16", torch::kBFloat16, 2},
    {"F64", torch::kDouble, 8},
    {"I64", torch::kLong, 8},
    {"I32", torch::kInt, 4},
    {"I16", torch::kShort, 2},
    {"I8", torch::kChar, 1},
    {"U8", torch::kByte, 1},
    {"BOOL", torch::kBool, 1},
}};

const DtypeInfo *dtypeByName(std::string_view name)
{
    for (const auto &info : kDtypes) {
        if (info.name == name)
            return &info;
    }
    return nullptr;
}

const DtypeInfo *dtypeByType(torch::ScalarType type)
{
    for (const auto &info : kDtypes) {
        if (info.type == type)
            return &info;
    }
    return nullptr;
}

constexpr std::string_view kMetadataKey = "__metadata__";
constexpr uint64_t kMaxInt64 = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());

[[noreturn]] void fail(const std::filesystem::path &path, const std::string &what)
{
    throw SafetensorsError("safetensors file '" + path.string() + "': " + what);
}

[[noreturn]] void failTensor(const std::filesystem::path &path, const std::string &name,
                             const std::string &what)
{
    fail(path, "tensor '" + name + "': " + what);
}

// JSON keeps non-negative integers as unsigned and negative ones as signed; floats such as 2.0
// are rejected so a sloppy writer is caught rather than silently truncated.
bool readUnsigned(const nlohmann::json &value, uint64_t &out)
{
    if (!value.is_number_unsigned())
        return false;
    out = value.get<uint64_t>();
    return true;
}

// Validates one header entry against the data buffer; the tensor's bytes are
// [begin, end) of the data that follows the header.
SafetensorsEntry readEntry(const std::filesystem::path &path, const std::string &name,
                           const nlohmann::json &entry, uint64_t dataSize)
{
    if (!entry.is_object())
        failTensor(path, name,
                   std::string("entry is a JSON ") + entry.type_name() + ", expected an object");

    auto dtypeIt = entry.find("dtype");
    if (dtypeIt == entry.end())
        failTensor(path, name, "missing 'dtype'");
    if (!dtypeIt->is_string())
        failTensor(path, name, "'dtype' must be a string");
    const std::string dtypeName = dtypeIt->get<std::string>();
    const DtypeInfo *dtype = dtypeByName(dtypeName);
    if (!dtype)
        failTensor(path, name, "unknown dtype '" + dtypeName + "'");

    auto shapeIt = entry.find("shape");
    if (shapeIt == entry.end())
        failTensor(path, name, "missing 'shape'");
    if (!shapeIt->is_array())
        failTensor(path, name, "'shape' must be an array");
    SafetensorsEntry out;
    out.dtype = dtype->type;
    // Computed with an overflow guard: a hostile header must not wrap around to a small size.
    uint64_t numel = 1;
    bool numelOverflow = false;
    for (const auto &dimJson : *shapeIt) {
        if (dimJson.is_number_integer() && !dimJson.is_number_unsigned())
            failTensor(path, name, "negative dimension " + dimJson.dump() + " in 'shape'");
        uint64_t dim = 0;
        if (!readUnsigned(dimJson, dim))
            failTensor(path, name,
                       "'shape' must contain non-negative integers, got " + dimJson.dump());
        if (dim > kMaxInt64)
            failTensor(path, name, "dimension " + std::to_string(dim) + " is too large");
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
        failTensor(path, name, "missing 'data_offsets'");
    if (!offsetsIt->is_array() || offsetsIt->size() != 2 || !readUnsigned((*offsetsIt)[0], out.begin)
        || !readUnsigned((*offsetsIt)[1], out.end))
        failTensor(path, name,
                   "'data_offsets' must be two non-negative integers, got " + offsetsIt->dump());
    if (out.begin > out.end)
        failTensor(path, name,
                   "'data_offsets' are reversed (" + std::to_string(out.begin) + " > "
                       + std::to_string(out.end) + ")");
    if (out.end > dataSize)
        failTensor(path, name,
                   "data is truncated: the tensor ends at byte " + std::to_string(out.end)
                       + " but the data buffer has only " + std::to_string(dataSize) + " bytes");

    const uint64_t byteSize = out.end - out.begin;
    const uint64_t elementSize = static_cast<uint64_t>(dtype->size);
    if (numelOverflow || numel > kMaxInt64 / elementSize || byteSize != numel * elementSize) {
        const std::string needed = numelOverflow || numel > kMaxInt64 / elementSize
            ? std::string("more than 2^63")
            : std::to_string(numel * elementSize);
        failTensor(path, name,
                   "'data_offsets' span " + std::to_string(byteSize) + " bytes but shape "
                       + shapeIt->dump() + " of " + dtypeName + " needs " + needed + " bytes");
    }
    return out;
}

// Tensors must tile the data buffer without overlapping (as the safetensors library requires);
// overlapping entries would alias each other's bytes.
void checkNoOverlap(const std::filesystem::path &path,
                    const std::map<std::string, SafetensorsEntry> &entries)
{
    std::vector<std::pair<const std::string *, const SafetensorsEntry *>> byOffset;
    for (const auto &[name, e] : entries) {
        if (e.end > e.begin)
            byOffset.emplace_back(&name, &e);
    }
    std::sort(byOffset.begin(), byOffset.end(),
              [](const auto &a, const auto &b) { return a.second->begin < b.second->begin; });
    for (size_t i = 1; i < byOffset.size(); ++i) {
        if (byOffset[i].second->begin < byOffset[i - 1].second->end)
            failTensor(path, *byOffset[i].first,
                       "its data overlaps that of tensor '" + *byOffset[i - 1].first + "'");
    }
}

} // namespace

SafetensorsMap::SafetensorsMap(const std::filesystem::path &path)
    : m_path(path)
{
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
        fail(path, "file not found");
    if (std::filesystem::is_directory(path, ec))
        fail(path, "is a directory, not a file");
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        fail(path, std::string("cannot open the file for reading: ") + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        ::close(fd);
        fail(path, "cannot determine the file size");
    }
    m_size = static_cast<uint64_t>(st.st_size);
    if (m_size < 8) {
        ::close(fd);
        fail(path,
             "file is truncated: " + std::to_string(m_size)
                 + " bytes, shorter than the 8-byte header length");
    }
    // A private read-only mapping: pages are read on demand and can be dropped again, so a
    // checkpoint larger than memory loads one tensor at a time.
    void *mapped = ::mmap(nullptr, m_size, PROT_READ, MAP_PRIVATE, fd, 0);
    ::close(fd);
    if (mapped == MAP_FAILED)
        fail(path, std::string("cannot map the file: ") + std::strerror(errno));
    m_bytes = static_cast<const char *>(mapped);
    try {
        parseHeader();
    } catch (...) {
        ::munmap(const_cast<char *>(m_bytes), m_size);
        throw;
    }
}

SafetensorsMap::~SafetensorsMap()
{
    if (m_bytes)
        ::munmap(const_cast<char *>(m_bytes), m_size);
}

void SafetensorsMap::parseHeader()
{
    const auto &path = m_path;
    uint64_t headerSize = 0;
    std::memcpy(&headerSize, m_bytes, 8);
    const uint64_t available = m_size - 8;
    if (headerSize > available)
        fail(path,
             "file is truncated: the header claims " + std::to_string(headerSize)
                 + " bytes but only " + std::to_string(available) + " follow");

    const char *headerBegin = m_bytes + 8;
    nlohmann::json header;
    try {
        header = nlohmann::json::parse(headerBegin, headerBegin + headerSize);
    } catch (const nlohmann::json::exception &e) {
        fail(path, std::string("header is not valid JSON: ") + e.what());
    }
    if (!header.is_object())
        fail(path, std::string("header is a JSON ") + header.type_name() + ", expected an object");

    m_data = headerBegin + headerSize;
    const uint64_t dataSize = available - headerSize;
    for (const auto &[name, entry] : header.items()) {
        if (name == kMetadataKey) {
            if (!entry.is_object())
                fail(path, "'__metadata__' must be an object");
            for (const auto &[key, value] : entry.items()) {
                if (!value.is_string())
                    fail(path, "'__metadata__' value of '" + key + "' must be a string");
                m_metadata.emplace(key, value.get<std::string>());
            }
            continue;
        }
        m_entries.emplace(name, readEntry(path, name, entry, dataSize));
    }
    checkNoOverlap(path, m_entries);
}

const SafetensorsEntry &SafetensorsMap::entry(const std::string &name) const
{
    auto it = m_entries.find(name);
    if (it == m_entries.end())
        fail(m_path, "no tensor '" + name + "'");
    return it->second;
}

torch::Tensor SafetensorsMap::view(const std::string &name) const
{
    const auto &e = entry(name);
    if (e.end == e.begin)
        return torch::empty(e.shape, torch::TensorOptions().dtype(e.dtype));
    // The mapping is read-only: callers copy or convert, never write.
    return torch::from_blob(const_cast<char *>(m_data + e.begin), e.shape,
                            torch::TensorOptions().dtype(e.dtype));
}

SafetensorsFile readSafetensors(const std::filesystem::path &path)
{
    SafetensorsMap map(path);
    SafetensorsFile file;
    file.metadata = map.metadata();
    for (const auto &[name, e] : map.entries())
        file.tensors.emplace(name, map.view(name).clone());
    return file;
}

void writeSafetensors(const std::filesystem::path &path,
                      const std::map<std::string, torch::Tensor> &tensors,
                      torch::ScalarType storageType,
                      const std::map<std::string, std::string> &metadata)
{
    if (storageType != torch::kFloat && storageType != torch::kHalf
        && storageType != torch::kBFloat16)
        fail(path,
             std::string("unsupported storage type ") + c10::toString(storageType)
                 + " (kFloat, kHalf or kBFloat16)");

    // std::map iterates in name order, which gives the sorted, deterministic layout.
    std::vector<torch::Tensor> prepared;
    prepared.reserve(tensors.size());
    nlohmann::json header = nlohmann::json::object();
    uint64_t offset = 0;
    for (const auto &[name, source] : tensors) {
        if (name.empty() || name == kMetadataKey)
            failTensor(path, name, "reserved or empty tensor name");
        if (!source.defined())
            failTensor(path, name, "tensor is undefined");
        torch::Tensor t = source.detach().to(torch::kCPU);
        if (t.is_floating_point())
            t = t.to(storageType);
        const DtypeInfo *dtype = dtypeByType(t.scalar_type());
        if (!dtype)
            failTensor(path, name,
                       std::string("cannot store dtype ") + c10::toString(t.scalar_type()));
        t = t.contiguous();
        const uint64_t byteSize = static_cast<uint64_t>(t.numel()) * dtype->size;
        header[name] = {{"dtype", std::string(dtype->name)},
                        {"shape", t.sizes().vec()},
                        {"data_offsets", {offset, offset + byteSize}}};
        offset += byteSize;
        prepared.push_back(std::move(t));
    }
    if (!metadata.empty())
        header[std::string(kMetadataKey)] = metadata;

    std::string headerText = header.dump();
    // Aligned data lets readers that mmap the file view tensors in place.
    headerText.append((8 - (8 + headerText.size()) % 8) % 8, ' ');

    std::filesystem::path tmpPath = path;
    tmpPath += ".tmp";
    std::error_code ec;
    {
        std::ofstream out(tmpPath, std::ios::binary | std::ios::trunc);
        if (!out)
            fail(path, "cannot open '" + tmpPath.string() + "' for writing");
        const uint64_t headerSize = headerText.size();
        out.write(reinterpret_cast<const char *>(&headerSize), 8);
        out.write(headerText.data(), static_cast<std::streamsize>(headerText.size()));
        for (const auto &t : prepared) {
            const auto byteSize = static_cast<std::streamsize>(t.numel() * t.element_size());
            if (byteSize > 0)
                out.write(static_cast<const char *>(t.data_ptr()), byteSize);
        }
        out.flush();
        out.close();
        if (!out) {
            std::filesystem::remove(tmpPath, ec);
            fail(path, "write error on '" + tmpPath.string() + "' (disk full?)");
        }
    }
    std::filesystem::rename(tmpPath, path, ec);
    if (ec) {
        std::error_code ignored;
        std::filesystem::remove(tmpPath, ignored);
        fail(path, "cannot rename the temporary file into place: " + ec.message());
    }
}

} // namespace slim::engine
