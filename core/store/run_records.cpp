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

std::string_view taskKindName(TaskKind kind)
{
    return kind == TaskKind::General ? "general" : "downstream";
}

} // namespace slim::store
