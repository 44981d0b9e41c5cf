#include "store/run_records.h"

#include <array>
#include <utility>

namespace slim::store {

namespace {

constexpr std::array<std::pair<RunStatus, std::string_view>, 6> kStatusNames {{
    {RunStatus::Queued, "queued"},
    {RunStatus::Running, "running"},
    {RunStatus::Succeeded, "succeeded"},
    {RunStatus::Failed, "failed"},
    {RunStatus::Cancelled, "cancelled"},
    {RunStatus::Interrupted, "interrupted"},
}};

constexpr std::array<std::pair<ScoringMode, std::string_view>, 4> kModeNames {{
    {ScoringMode::Loglikelihood, "loglikelihood"},
    {ScoringMode::LabelLogits, "label_logits"},
    {ScoringMode::ExactMatch, "exact_match"},
    {ScoringMode::BitsPerByte, "bits_per_byte"},
}};

} // namespace

std::string_view runStatusName(RunStatus status)
{
    for (const auto &[value, name] : kStatusNames) {
        if (value == status)
            return name;
    }
    return "queued";
}

std::optional<RunStatus> runStatusFromName(std::string_view text)
{
    for (const auto &[value, name] : kStatusNames) {
        if (name == text)
            return value;
    }
    return std::nullopt;
}

bool isTerminal(RunStatus status)
{
    return status != RunStatus::Queued && status != RunStatus::Running;
}

std::string_view scoringModeName(ScoringMode mode)
{
    for (const auto &[value, name] : kModeNames) {
        if (value == mode)
            return name;
    }
    return "loglikelihood";
}

std::optional<ScoringMode> scoringModeFromName(std::string_view text)
{
    for (const auto &[value, name] : kModeNames) {
        if (name == text)
            return value;
    }
    return std::nullopt;
}

std::string_view taskKindName(TaskKind kind)
{
    return kind == TaskKind::General ? "general" : "downstream";
}

} // namespace slim::store
