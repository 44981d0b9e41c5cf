#pragma once
// SHA-256 (FIPS 180-4) of bytes, strings and files. Std only; results are lowercase hex.

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace slim::common {

// Incremental hasher: update() any number of times, then hexDigest() or digest() once.
// Not thread-safe; cheap to copy.
class Sha256
{
public:
    Sha256();

    void update(const void *data, std::size_t size);
    void update(std::string_view bytes) { update(bytes.data(), bytes.size()); }

    // Finalises the hash; the object must not be updated afterwards.
    std::array<uint8_t, 32> digest();
    std::string hexDigest();

private:
    void processBlock(const uint8_t *block);

    std::array<uint32_t, 8> m_state;
    std::array<uint8_t, 64> m_buffer {};
    std::size_t m_bufferSize = 0;
    uint64_t m_totalBytes = 0;
    bool m_finished = false;
};

// Lowercase hex SHA-256 of the bytes.
std::string sha256Hex(std::string_view bytes);

// Lowercase hex SHA-256 of a file's bytes; throws std::runtime_error naming the file when it
// cannot be read.
std::string sha256HexOfFile(const std::filesystem::path &path);

} // namespace slim::common
