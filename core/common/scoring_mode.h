#pragma once
// How a score was produced, and which way a metric points. The one definition for the engine
// (which produces scores), the store (which keeps them) and the scores library (which reads
// them). Scores of different modes are never comparable. Std only.

#include <optional>
#include <string_view>

namespace slim {

enum class ScoringMode {
    LogLikelihood, // "loglikelihood": lm-evaluation-harness multiple choice (acc, acc_norm)
    LabelLogits,   // "label_logits": the paper's harness, logits of " A", " B"... (acc)
    ExactMatch,    // "exact_match": greedy generation compared with the target
    BitsPerByte,   // "bits_per_byte": rolling log-likelihood of plain texts
};

// The lower-case names stored in the database and printed by slimctl ("loglikelihood", ...).
std::string_view scoringModeName(ScoringMode mode);
// std::nullopt for a name that is none of scoringModeName's.
std::optional<ScoringMode> scoringModeFromName(std::string_view name);

// False for metrics where lower is better ("bits_per_byte", "perplexity", "nll"...).
bool higherIsBetter(std::string_view metric);

} // namespace slim
