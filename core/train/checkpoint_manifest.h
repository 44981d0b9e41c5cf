#pragma once
// A checkpoint's manifest: its state file (trainer_state.json, written last, just before the
// folder is renamed into place) lists every file the checkpoint holds with its size and SHA-256,
// so a checkpoint damaged after it was written (truncated, a file lost or changed) is recognised
// before anything is loaded from it. Std-only.

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>

namespace slim::engine {

inline constexpr const char *kCheckpointStateFile = "trainer_state.json";

// Writes `state` (step, phase, seed) with "files": {name: {"bytes", "sha256"}} of every file in
// `dir` to dir/trainer_state.json. Throws common::FileWriteError.
void writeCheckpointState(const std::filesystem::path &dir, nlohmann::json state);

// Why the checkpoint in `dir` cannot be resumed from: "trainer_state.json is missing",
// "optimizer.pt is 0 bytes, 10,432 were written", "adapter_model.safetensors differs from the
// file written (SHA-256)"; nullopt when it is intact. A checkpoint of an older version without
// the manifest is checked for its state file only.
std::optional<std::string> checkpointProblem(const std::filesystem::path &dir);

// A checkpoint that fails its manifest, refused before anything is loaded from it.
class CheckpointDamaged : public std::runtime_error
{
public:
    CheckpointDamaged(const std::filesystem::path &dir, std::string problem)
        : std::runtime_error("checkpoint " + dir.string() + " is damaged: " + problem)
        , m_problem(std::move(problem))
    { }
    const std::string &problem() const { return m_problem; }

private:
    std::string m_problem;
};

// The SHA-256 recorded for `file` in the manifest of the checkpoint in `dir` (empty when none).
std::string manifestSha256(const std::filesystem::path &dir, const std::string &file);

} // namespace slim::engine
