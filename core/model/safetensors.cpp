#include "safetensors.h"

#include "common/file_writes.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <cerrno>
#include <array>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <string_view>
#include <system_error>
#include <vector>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace slim::engine {

namespace {

// The storage dtypes' torch types (their names and sizes: safetensors_header.cpp).
struct DtypeInfo
{
    std::string_view name;
    torch::ScalarType type;
};

constexpr std::array<DtypeInfo, 10> kDtypes {{
    {"F32", torch::kFloat},
    {"F16", torch::kHalf},
    {"BF16", torch::kBFloat16},
    {"F64", torch::kDouble},
    {"I64", torch::kLong},
    {"I32", torch::kInt},
    {"I16", torch::kShort},
    {"I8", torch::kChar},
    {"U8", torch::kByte},
    {"BOOL", torch::kBool},
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

} // namespace

SafetensorsMap::SafetensorsMap(const std::filesystem::path &path)
    : m_path(path)
{
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
        failSafetensors(path, "file not found");
    if (std::filesystem::is_directory(path, ec))
        failSafetensors(path, "is a directory, not a file");
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        failSafetensors(path,
                        std::string("cannot open the file for reading: ") + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        ::close(fd);
        failSafetensors(path, "cannot determine the file size");
    }
    m_size = static_cast<uint64_t>(st.st_size);
    if (m_size < 8) { // too short to map; the header parser says why
        ::close(fd);
        parseSafetensorsHeader(path, "", m_size);
    }
    // A private read-only mapping: pages are read on demand and can be dropped again, so a
    // checkpoint larger than memory loads one tensor at a time.
    void *mapped = ::mmap(nullptr, m_size, PROT_READ, MAP_PRIVATE, fd, 0);
    ::close(fd);
    if (mapped == MAP_FAILED)
        failSafetensors(path, std::string("cannot map the file: ") + std::strerror(errno));
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
    auto header = parseSafetensorsHeader(m_path, m_bytes, m_size);
    m_data = m_bytes + header.data_offset;
    m_metadata = std::move(header.metadata);
    for (auto &[name, e] : header.entries)
        m_entries.emplace(name, SafetensorsEntry {dtypeByName(e.dtype)->type, std::move(e.shape),
                                                  e.begin, e.end});
}

const SafetensorsEntry &SafetensorsMap::entry(const std::string &name) const
{
    auto it = m_entries.find(name);
    if (it == m_entries.end())
        failSafetensors(m_path, "no tensor '" + name + "'");
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
        failSafetensors(path,
             std::string("unsupported storage type ") + c10::toString(storageType)
                 + " (kFloat, kHalf or kBFloat16)");

    // std::map iterates in name order, which gives the sorted, deterministic layout.
    std::vector<torch::Tensor> prepared;
    prepared.reserve(tensors.size());
    nlohmann::json header = nlohmann::json::object();
    uint64_t offset = 0;
    for (const auto &[name, source] : tensors) {
        if (name.empty() || name == kSafetensorsMetadataKey)
            failSafetensorsTensor(path, name, "reserved or empty tensor name");
        if (!source.defined())
            failSafetensorsTensor(path, name, "tensor is undefined");
        torch::Tensor t = source.detach().to(torch::kCPU);
        if (t.is_floating_point())
            t = t.to(storageType);
        const DtypeInfo *dtype = dtypeByType(t.scalar_type());
        if (!dtype)
            failSafetensorsTensor(path, name,
                       std::string("cannot store dtype ") + c10::toString(t.scalar_type()));
        t = t.contiguous();
        const uint64_t byteSize = static_cast<uint64_t>(t.numel() * t.element_size());
        header[name] = {{"dtype", std::string(dtype->name)},
                        {"shape", t.sizes().vec()},
                        {"data_offsets", {offset, offset + byteSize}}};
        offset += byteSize;
        prepared.push_back(std::move(t));
    }
    if (!metadata.empty())
        header[std::string(kSafetensorsMetadataKey)] = metadata;

    std::string headerText = header.dump();
    // Aligned data lets readers that mmap the file view tensors in place.
    headerText.append((8 - (8 + headerText.size()) % 8) % 8, ' ');

    std::filesystem::path tmpPath = path;
    tmpPath += ".tmp";
    std::error_code ec;
    {
        std::ofstream out(tmpPath, std::ios::binary | std::ios::trunc);
        if (!out)
            failSafetensors(path, "cannot open '" + tmpPath.string() + "' for writing");
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
            const int savedErrno = errno;
            std::filesystem::remove(tmpPath, ec);
            failSafetensors(path, "cannot write '" + tmpPath.string()
                                      + "': " + common::writeFailureReason(tmpPath, savedErrno));
        }
    }
    std::filesystem::rename(tmpPath, path, ec);
    if (ec) {
        std::error_code ignored;
        std::filesystem::remove(tmpPath, ignored);
        failSafetensors(path, "cannot rename the temporary file into place: " + ec.message());
    }
}

} // namespace slim::engine
