#pragma once
// Scores of an evaluation and the arithmetic around them: template hashes, standard errors.
// Reading recorded scores (primary score, forgetting, summaries) is core/scores. Plain std
// types (no torch). Conventions: ../shared/docs/evaluation.md.

#include "common/scoring_mode.h"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace slim::engine {

// How a score was produced: the one ScoringMode (common/scoring_mode.h).
using slim::ScoringMode;
using slim::scoringModeFromName;
using slim::scoringModeName;

struct MetricScore
{
    std::string name; // "acc", "acc_norm", "exact_match", "char_accuracy", "bits_per_byte"
    double value = 0; // acc: fraction in [0, 1]; bits_per_byte: bits per UTF-8 byte
    double std_error = 0; // see meanStandardError / ratioStandardError; NaN when n < 2
};

// One document, in the shape of lm-eval's per-sample logs.
struct SampleLog
{
    int64_t doc_id = 0; // index of the item / text in the task
    std::string target; // gold choice text, generation target, or "" (text)
    int64_t gold = -1; // gold choice index; -1 when not a choice task
    // Per choice: summed log-likelihood of the continuation in nats (loglikelihood), or the
    // log-softmax over the label logits (label_logits). Text: one entry, the text's total
    // log-likelihood in nats.
    std::vector<double> loglikelihoods;
    std::vector<bool> is_greedy; // loglikelihood mode, per choice
    int64_t predicted = -1; // argmax choice index (by "acc")
    std::string prediction; // predicted choice text, or the generated text
    std::map<std::string, double> scores; // per-item metric values ("acc": 0/1, "bits_per_byte")
};

// The result of one task under one scoring mode: what a store caches and compares.
struct ModeScores
{
    ScoringMode mode = ScoringMode::LogLikelihood;
    std::string template_hash; // templateHash(...) of everything that shapes the prompt
    int64_t shots = 0;
    std::string split = "test";
    int64_t n = 0; // items (texts) scored
    std::vector<MetricScore> metrics;
    std::vector<SampleLog> samples; // empty unless EvalOptions::keep_samples

    const MetricScore *metric(std::string_view name) const; // nullptr when absent
};

struct TaskScores
{
    std::string task;
    std::string task_version;
    bool general = false; // part of the general suite (forgetting)
    bool cancelled = false; // stopped on request: `modes` holds only the modes that finished
    std::vector<ModeScores> modes;

    const ModeScores *mode(ScoringMode m) const; // nullptr when absent
};

// FNV-1a 64-bit of the bytes, as 16 lower-case hex digits. Stable across platforms (unlike
// std::hash); only an identifier.
std::string fnv1a64Hex(std::string_view bytes);
// Identifier of a prompt format: FNV-1a 64 of template, 0x1F, delimiter, 0x1F, modeFormat.
std::string templateHash(std::string_view promptTemplate, std::string_view delimiter,
                         std::string_view modeFormat = {});

// lm-eval's stderr of a mean: sample standard deviation (n - 1) / sqrt(n). NaN when n < 2.
double meanStandardError(const std::vector<double> &perItem);
// Standard error of a ratio of sums R = sum(x_i) / sum(y_i) (e.g. bits / bytes), by the delta
// method: sqrt(sum((x_i - R y_i)^2) / (n (n - 1))) / mean(y). Equals meanStandardError of
// x_i / y_i when all y_i are equal. NaN when n < 2.
double ratioStandardError(const std::vector<double> &x, const std::vector<double> &y);

// lm-eval's group score (mmlu over its subjects): the mean weighted by each part's item count,
// and the pooled standard error sqrt(sum((n_i - 1) se_i^2 n_i) / (N - k) / N), N = sum(n_i).
struct GroupPart
{
    double value = 0, std_error = 0;
    int64_t n = 0;
};
MetricScore pooledGroupMetric(const std::string &name, const std::vector<GroupPart> &parts);

nlohmann::json toJson(const SampleLog &sample);
nlohmann::json toJson(const ModeScores &scores); // without the samples
nlohmann::json toJson(const TaskScores &scores); // without the samples
// One JSON object per line per sample, with "task" and "mode" fields added.
void writeSamplesJsonl(std::ostream &out, const TaskScores &scores);

} // namespace slim::engine
