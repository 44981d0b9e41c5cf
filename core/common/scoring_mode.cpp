#include "scoring_mode.h"

#include <array>
#include <utility>

namespace slim {

namespace {

constexpr std::array<std::pair<ScoringMode, std::string_view>, 4> kModeNames {{
    {ScoringMode::LogLikelihood, "loglikelihood"},
    {ScoringMode::LabelLogits, "label_logits"},
    {ScoringMode::ExactMatch, "exact_match"},
    {ScoringMode::BitsPerByte, "bits_per_byte"},
}};

} // namespace

std::string_view scoringModeName(ScoringMode mode)
{
    for (const auto &[m, name] : kModeNames) {
        if (m == mode)
            return name;
    }
    return "unknown";
}

std::optional<ScoringMode> scoringModeFromName(std::string_view name)
{
    for (const auto &[m, n] : kModeNames) {
        if (n == name)
            return m;
    }
    return std::nullopt;
}

bool higherIsBetter(std::string_view metric)
{
    return !(metric == "bits_per_byte" || metric == "byte_perplexity" || metric == "perplexity"
             || metric == "word_perplexity" || metric == "nll");
}

} // namespace slim
