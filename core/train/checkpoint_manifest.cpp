#include "checkpoint_manifest.h"

#include "common/file_writes.h"
#include "common/sha256.h"

#include <fstream>

namespace slim::engine {

namespace fs = std::filesystem;

namespace {

constexpr const char *kFilesKey = "files";

std::optional<nlohmann::json> readState(const fs::path &dir)
{
    std::ifstream in(dir / kCheckpointStateFile);
    if (!in)
        return std::nullopt;
    auto state = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
    if (!state.is_object())
        return std::nullopt;
    return state;
}

} // namespace

void writeCheckpointState(const fs::path &dir, nlohmann::json state)
{
    auto files = nlohmann::json::object();
    for (const auto &entry : fs::directory_iterator(dir)) {
        if (!entry.is_regular_file() || entry.path().filename() == kCheckpointStateFile)
            continue;
        files[entry.path().filename().string()] = {
            {"bytes", std::int64_t(entry.file_size())},
            {"sha256", common::sha256HexOfFile(entry.path())}};
    }
    state[kFilesKey] = files;
    common::writeTextFile(dir / kCheckpointStateFile, state.dump(2) + '\n');
}

std::optional<std::string> checkpointProblem(const fs::path &dir)
{
    if (!fs::is_directory(dir))
        return "the folder is missing";
    const auto state = readState(dir);
    if (!state)
        return std::string(kCheckpointStateFile) + " is missing or unreadable";
    if (!state->contains("step") || !(*state)["step"].is_number_integer())
        return std::string(kCheckpointStateFile) + " has no step";
    if (!state->contains(kFilesKey))
        return std::nullopt; // an older checkpoint: nothing more to compare with
    for (const auto &[name, file] : (*state)[kFilesKey].items()) {
        const auto path = dir / name;
        std::error_code ec;
        const auto bytes = fs::file_size(path, ec);
        if (ec)
            return name + " is missing";
        const auto written = file.value("bytes", std::int64_t(-1));
        if (std::int64_t(bytes) != written)
            return name + " is " + std::to_string(bytes) + " bytes, " + std::to_string(written)
                   + " were written";
        if (common::sha256HexOfFile(path) != file.value("sha256", std::string()))
            return name + " differs from the file written (SHA-256)";
    }
    return std::nullopt;
}

std::string manifestSha256(const fs::path &dir, const std::string &file)
{
    const auto state = readState(dir);
    if (!state || !state->contains(kFilesKey) || !(*state)[kFilesKey].contains(file))
        return {};
    return (*state)[kFilesKey][file].value("sha256", std::string());
}

} // namespace slim::engine
