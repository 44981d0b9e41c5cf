#include "task_scores.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <limits>
#include <ostream>
#include <stdexcept>

namespace slim::engine {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// NaN is not JSON; null says "not available" (e.g. stderr of a single item).
nlohmann::json number(double v)
{
    return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}

} // namespace

const MetricScore *ModeScores::metric(std::string_view name) const
{
    for (const auto &m : metrics) {
        if (m.name == name)
            return &m;
    }
    return nullptr;
}

const ModeScores *TaskScores::mode(ScoringMode m) const
{
    for (const auto &s : modes) {
        if (s.mode == m)
            return &s;
    }
    return nullptr;
}

std::string fnv1a64Hex(std::string_view bytes)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (unsigned char c : bytes) {
        h ^= c;
        h *= 0x100000001b3ull;
    }
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

std::string templateHash(std::string_view promptTemplate, std::string_view delimiter,
                         std::string_view modeFormat)
{
    std::string all(promptTemplate);
    all += '\x1f';
    all += delimiter;
    all += '\x1f';
    all += modeFormat;
    return fnv1a64Hex(all);
}

double meanStandardError(const std::vector<double> &perItem)
{
    const auto n = double(perItem.size());
    if (perItem.size() < 2)
        return kNaN;
    double mean = 0;
    for (double v : perItem)
        mean += v;
    mean /= n;
    double ss = 0;
    for (double v : perItem)
        ss += (v - mean) * (v - mean);
    return std::sqrt(ss / (n - 1)) / std::sqrt(n);
}

MetricScore pooledGroupMetric(const std::string &name, const std::vector<GroupPart> &parts)
{
    double weighted = 0, pooled = 0, total = 0;
    for (const auto &part : parts) {
        weighted += part.value * double(part.n);
        pooled += double(part.n - 1) * part.std_error * part.std_error * double(part.n);
        total += double(part.n);
    }
    const auto k = double(parts.size());
    if (total <= k)
        return {name, total > 0 ? weighted / total : std::nan(""), std::nan("")};
    return {name, weighted / total, std::sqrt(pooled / (total - k) / total)};
}

double ratioStandardError(const std::vector<double> &x, const std::vector<double> &y)
{
    if (x.size() != y.size())
        throw std::invalid_argument("ratioStandardError: x and y differ in length");
    const auto n = double(x.size());
    if (x.size() < 2)
        return kNaN;
    double sx = 0, sy = 0;
    for (size_t i = 0; i < x.size(); ++i) {
        sx += x[i];
        sy += y[i];
    }
    const double ratio = sx / sy, meanY = sy / n;
    double ss = 0;
    for (size_t i = 0; i < x.size(); ++i)
        ss += (x[i] - ratio * y[i]) * (x[i] - ratio * y[i]);
    return std::sqrt(ss / (n * (n - 1))) / meanY;
}

nlohmann::json toJson(const SampleLog &sample)
{
    // lm-eval's "resps" of a multiple-choice doc: [[loglikelihood, is_greedy], ...].
    auto resps = nlohmann::json::array();
    for (size_t i = 0; i < sample.loglikelihoods.size(); ++i) {
        auto ll = number(sample.loglikelihoods[i]);
        resps.push_back(i < sample.is_greedy.size()
                            ? nlohmann::json::array({ll, bool(sample.is_greedy[i])})
                            : nlohmann::json::array({ll}));
    }
    nlohmann::json j = {{"doc_id", sample.doc_id},
                        {"target", sample.target},
                        {"resps", resps},
                        {"prediction", sample.prediction}};
    if (sample.gold >= 0) {
        j["gold"] = sample.gold;
        j["predicted"] = sample.predicted;
    }
    for (const auto &[name, value] : sample.scores)
        j[name] = number(value);
    const auto primary = sample.scores.find(sample.scores.count("acc") ? "acc" : "exact_match");
    if (primary != sample.scores.end())
        j["correct"] = primary->second != 0;
    return j;
}

nlohmann::json toJson(const ModeScores &scores)
{
    nlohmann::json metrics = nlohmann::json::object();
    for (const auto &m : scores.metrics)
        metrics[m.name] = {{"value", number(m.value)}, {"stderr", number(m.std_error)}};
    return {{"mode", scoringModeName(scores.mode)},
            {"template_hash", scores.template_hash},
            {"shots", scores.shots},
            {"split", scores.split},
            {"n", scores.n},
            {"metrics", metrics}};
}

nlohmann::json toJson(const TaskScores &scores)
{
    auto modes = nlohmann::json::array();
    for (const auto &m : scores.modes)
        modes.push_back(toJson(m));
    return {{"task", scores.task},
            {"task_version", scores.task_version},
            {"general", scores.general},
            {"cancelled", scores.cancelled},
            {"modes", modes}};
}

void writeSamplesJsonl(std::ostream &out, const TaskScores &scores)
{
    for (const auto &m : scores.modes) {
        for (const auto &s : m.samples) {
            auto j = toJson(s);
            j["task"] = scores.task;
            j["mode"] = scoringModeName(m.mode);
            out << j.dump() << '\n';
        }
    }
}

} // namespace slim::engine
