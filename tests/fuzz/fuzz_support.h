#pragma once
// Shared by the fuzz targets (tests/fuzz/README.md): each defines LLVMFuzzerTestOneInput, built
// with libFuzzer by the clang fuzz build (SLIM_FUZZ) and with fuzz_replay_main.cpp by the normal
// build, which runs every input of the checked-in corpus as a unit test. A target catches only
// the error types its parser documents: anything else escaping (a std::out_of_range, a JSON
// library's type_error with no file or field in its message) is a finding, as is a crash.

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <unistd.h>

namespace slim::fuzz {

inline std::string_view bytesOf(const uint8_t *data, size_t size)
{
    return {reinterpret_cast<const char *>(data), size};
}

// The input as JSON, as the workbench's readers parse a file; none when they refuse it as JSON
// (a parse_error, or a number beyond a double's range).
inline std::optional<nlohmann::json> jsonInput(const uint8_t *data, size_t size)
{
    try {
        return nlohmann::json::parse(bytesOf(data, size));
    } catch (const nlohmann::json::exception &) {
        return std::nullopt;
    }
}

// The input cut at each "\n----\n" into `count` parts (the last takes the rest; missing parts
// are empty): one input holds several files, e.g. tokenizer.json and tokenizer_config.json.
inline std::vector<std::string> splitParts(std::string_view input, size_t count)
{
    constexpr std::string_view kSeparator = "\n----\n";
    std::vector<std::string> parts;
    while (parts.size() + 1 < count) {
        const auto at = input.find(kSeparator);
        if (at == std::string_view::npos)
            break;
        parts.emplace_back(input.substr(0, at));
        input.remove_prefix(at + kSeparator.size());
    }
    parts.emplace_back(input);
    parts.resize(count);
    return parts;
}

// A file holding `bytes` in this process's scratch folder (reused: one file per name).
inline std::filesystem::path scratchFile(const std::string &name, std::string_view bytes)
{
    static const auto dir = [] {
        auto d = std::filesystem::temp_directory_path()
                 / ("slim-fuzz-" + std::to_string(::getpid()));
        std::filesystem::create_directories(d);
        return d;
    }();
    const auto path = dir / name;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), std::streamsize(bytes.size()));
    return path;
}

} // namespace slim::fuzz
