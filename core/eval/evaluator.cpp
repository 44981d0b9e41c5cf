#include "evaluator.h"

#include "model/generation.h"
#include "suites/answer_extraction.h"
#include "tokenizer/python_str.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>
#include <stdexcept>

namespace slim::engine {

namespace {

// What shapes the prompt besides the task's template, folded into the template hash so that a
// change of format never compares as equal.
constexpr const char *kLabelFormat = "{context}\\n(A) {choice0} (B) {choice1} ...\\nAnswer:"
                                     " + leading tokens of ' {label}'; logits of its last token";
constexpr const char *kExactMatchFormat = "greedy; stop at EOS or newline; strip whitespace";

// Reports (done, total) at most every 100 ms, and always at the end.
class Progress
{
public:
    Progress(const EvalOptions &options, int64_t total)
        : m_callback(options.on_progress)
        , m_total(total)
    { }
    void advance(int64_t count)
    {
        m_done += count;
        const auto now = std::chrono::steady_clock::now();
        if (m_callback && (m_done >= m_total || now - m_last >= std::chrono::milliseconds(100))) {
            m_last = now;
            m_callback(m_done, m_total);
        }
    }

private:
    std::function<void(int64_t, int64_t)> m_callback;
    int64_t m_total = 0;
    int64_t m_done = 0;
    std::chrono::steady_clock::time_point m_last {};
};

struct Run
{
    CausalLm &model;
    const tok::Tokenizer &tokenizer;
    const data::Task &task;
    const EvalOptions &options;
    int64_t maxLength = 0;
    BatchControl control;
};

// Python's len() of a str: code points, i.e. UTF-8 bytes that do not continue a sequence.
double characterCount(std::string_view s)
{
    return double(std::count_if(
        s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// numpy.argmax: the first maximum (NaN never wins here).
int64_t argmax(const std::vector<double> &values)
{
    int64_t best = 0;
    for (size_t i = 1; i < values.size(); ++i) {
        if (values[i] > values[size_t(best)])
            best = int64_t(i);
    }
    return best;
}

// The code points of UTF-8 text, each as its bytes.
std::vector<std::string_view> codePoints(std::string_view s)
{
    std::vector<std::string_view> out;
    for (size_t i = 0; i < s.size();) {
        size_t j = i + 1;
        while (j < s.size() && (static_cast<unsigned char>(s[j]) & 0xC0) == 0x80)
            ++j;
        out.push_back(s.substr(i, j - i));
        i = j;
    }
    return out;
}

// Partial credit of a generation: characters (code points) equal at the same position, over the
// longer of prediction and target (a missing or extra character counts as wrong; 1 when both
// are empty).
double characterAccuracy(std::string_view prediction, std::string_view target)
{
    const auto predicted = codePoints(prediction), wanted = codePoints(target);
    const auto length = std::max(predicted.size(), wanted.size());
    if (length == 0)
        return 1.0;
    size_t same = 0;
    for (size_t i = 0; i < wanted.size() && i < predicted.size(); ++i)
        same += predicted[i] == wanted[i] ? 1 : 0;
    return double(same) / double(length);
}

MetricScore meanMetric(std::string name, const std::vector<double> &perItem)
{
    double sum = 0;
    for (double v : perItem)
        sum += v;
    return {std::move(name), perItem.empty() ? std::nan("") : sum / double(perItem.size()),
            meanStandardError(perItem)};
}

ModeScores emptyScores(ScoringMode mode, std::string templateHash, int64_t n)
{
    ModeScores s;
    s.mode = mode;
    s.template_hash = std::move(templateHash);
    s.n = n;
    return s;
}

void checkChoices(const data::ChoiceItem &item, size_t index)
{
    if (item.choices.empty() || item.gold < 0 || item.gold >= int64_t(item.choices.size()))
        throw std::invalid_argument("choice item " + std::to_string(index)
                                    + ": no choices or gold out of range");
}

std::optional<ModeScores> scoreLogLikelihood(Run &run, const std::vector<data::ChoiceItem> &items)
{
    const auto encode = evaluationEncoder(run.tokenizer);
    std::vector<ScoringRequest> requests;
    for (const auto &item : items) {
        for (const auto &choice : item.choices) {
            // Partial evaluation: the choice ends the context, the continuation is shared.
            const bool partial = !item.shared_continuation.empty();
            requests.push_back(continuationRequest(
                encodePair(encode, partial ? item.context + choice : item.context,
                           run.task.target_delimiter
                               + (partial ? item.shared_continuation : choice)),
                run.maxLength));
        }
    }
    auto scores = scoreRequests(run.model, requests, run.control);
    if (!scores)
        return std::nullopt;

    auto result = emptyScores(ScoringMode::LogLikelihood,
                              templateHash(run.task.prompt_template, run.task.target_delimiter),
                              int64_t(items.size()));
    std::vector<double> acc, accNorm;
    size_t next = 0;
    for (size_t doc = 0; doc < items.size(); ++doc) {
        const auto &item = items[doc];
        std::vector<double> lls, normalised;
        std::vector<bool> greedy;
        for (const auto &choice : item.choices) {
            const auto &s = (*scores)[next++];
            lls.push_back(s.loglikelihood);
            greedy.push_back(s.is_greedy);
            normalised.push_back(s.loglikelihood / characterCount(choice));
        }
        const auto predicted = argmax(lls);
        acc.push_back(predicted == item.gold ? 1.0 : 0.0);
        accNorm.push_back(argmax(normalised) == item.gold ? 1.0 : 0.0);
        if (run.options.keep_samples)
            result.samples.push_back({int64_t(doc),
                                      item.choices[size_t(item.gold)],
                                      item.gold,
                                      lls,
                                      greedy,
                                      predicted,
                                      item.choices[size_t(predicted)],
                                      {{"acc", acc.back()}, {"acc_norm", accNorm.back()}}});
    }
    result.metrics = {meanMetric("acc", acc), meanMetric("acc_norm", accNorm)};
    return result;
}

std::optional<ModeScores> scoreLabels(Run &run, const std::vector<data::ChoiceItem> &items)
{
    size_t widest = 0;
    for (const auto &item : items)
        widest = std::max(widest, item.choices.size());
    if (widest > 26)
        throw std::invalid_argument("label mode: more than 26 choices");
    // The label's token is the last of encode(" A"). Tokens before it (a byte tokenizer's
    // space) follow the prompt, so the scored position is the one that predicts the label.
    std::vector<int64_t> labelIds, labelPrefix;
    for (size_t i = 0; i < widest; ++i) {
        auto ids = run.tokenizer.encode(std::string(" ") + char('A' + i), false);
        std::vector<int64_t> prefix(ids.begin(), ids.end() - 1);
        if (i > 0 && prefix != labelPrefix)
            throw std::invalid_argument("label mode: the labels' encodings differ before the "
                                        "label token");
        labelPrefix = prefix;
        labelIds.push_back(ids.back());
    }
    std::vector<std::vector<int64_t>> prompts;
    for (const auto &item : items) {
        auto ids = run.tokenizer.encode(labelPrompt(item), true);
        ids.insert(ids.end(), labelPrefix.begin(), labelPrefix.end());
        if (int64_t(ids.size()) > run.maxLength)
            ids.erase(ids.begin(), ids.end() - run.maxLength);
        prompts.push_back(std::move(ids));
    }
    auto logits = lastPositionLogits(run.model, prompts, run.control);
    if (!logits)
        return std::nullopt;

    auto result = emptyScores(ScoringMode::LabelLogits,
                              templateHash(run.task.prompt_template, "", kLabelFormat),
                              int64_t(items.size()));
    std::vector<double> acc;
    torch::InferenceMode inference;
    for (size_t doc = 0; doc < items.size(); ++doc) {
        const auto &item = items[doc];
        const auto k = int64_t(item.choices.size());
        auto ids = torch::tensor(std::vector<int64_t>(labelIds.begin(), labelIds.begin() + k));
        auto logProbs = torch::log_softmax((*logits)[int64_t(doc)].index_select(0, ids), 0)
                            .to(torch::kDouble);
        std::vector<double> lps(logProbs.data_ptr<double>(), logProbs.data_ptr<double>() + k);
        const auto predicted = argmax(lps);
        acc.push_back(predicted == item.gold ? 1.0 : 0.0);
        if (run.options.keep_samples)
            result.samples.push_back({int64_t(doc),
                                      item.choices[size_t(item.gold)],
                                      item.gold,
                                      lps,
                                      {},
                                      predicted,
                                      item.choices[size_t(predicted)],
                                      {{"acc", acc.back()}}});
    }
    result.metrics = {meanMetric("acc", acc)};
    return result;
}

suites::AnswerFilter answerFilterOf(const data::GenerationRule &rule)
{
    if (rule.answer_filter == "line")
        return suites::AnswerFilter::Line;
    if (rule.answer_filter == "gsm8k")
        return suites::AnswerFilter::Gsm8k;
    if (rule.answer_filter == "gsm8k_cot")
        return suites::AnswerFilter::Gsm8kCot;
    throw std::invalid_argument("unknown answer filter '" + rule.answer_filter + "'");
}

// What shapes a generation's score besides the prompt template, for the template hash.
std::string generationFormat(const data::GenerationRule &rule)
{
    if (rule.stop_strings.empty() && rule.answer_filter == "line")
        return kExactMatchFormat;
    std::string format = "greedy; stop at EOS or any of";
    for (const auto &stop : rule.stop_strings)
        format += " '" + stop + "'";
    return format + "; filter " + rule.answer_filter;
}

// Greedy generation scored by exact match: the built-in tasks' first line (with per-character
// accuracy as partial credit), or lm-eval's filters (one exact_match per filter).
std::optional<ModeScores> scoreGeneration(Run &run, const std::vector<data::GenerationItem> &items,
                                          Progress &progress)
{
    const auto &rule = run.task.generation;
    const auto filter = answerFilterOf(rule);
    GenerationOptions gen;
    gen.max_new_tokens = std::min(rule.max_new_tokens > 0 ? rule.max_new_tokens
                                                          : run.options.max_new_tokens,
                                  run.maxLength - 1);
    gen.pad_token_id = run.tokenizer.paddingId();
    if (rule.stop_strings.empty())
        gen.stop_token_ids = {run.tokenizer.encode("\n", false).back()};
    if (const auto eos = run.tokenizer.eosId())
        gen.stop_token_ids.push_back(*eos);
    if (!rule.stop_strings.empty())
        gen.stop_when = [&](size_t, const std::vector<int64_t> &ids) {
            const auto text = run.tokenizer.decode(ids, true);
            return suites::cutAtStop(text, rule.stop_strings).size() < text.size();
        };
    bool stopped = false;
    const auto shouldStop = [&] {
        stopped = stopped || (run.options.should_stop && run.options.should_stop());
        return stopped;
    };

    auto result = emptyScores(ScoringMode::ExactMatch,
                              templateHash(run.task.prompt_template, "", generationFormat(rule)),
                              int64_t(items.size()));
    std::vector<std::string> names;
    std::vector<std::vector<double>> perMetric;
    const auto batchSize = size_t(run.control.batch_size);
    for (size_t start = 0; start < items.size(); start += batchSize) {
        if (shouldStop())
            return std::nullopt;
        const auto count = std::min(batchSize, items.size() - start);
        std::vector<std::vector<int64_t>> prompts;
        for (size_t i = 0; i < count; ++i) {
            // lm-eval keeps the last max_length - max_gen_toks tokens of the context.
            auto ids = run.tokenizer.encode(items[start + i].prompt, true);
            const auto room = run.maxLength - gen.max_new_tokens;
            if (int64_t(ids.size()) > room)
                ids.erase(ids.begin(), ids.end() - room);
            prompts.push_back(std::move(ids));
        }
        auto outputs = generate(run.model, prompts, gen, shouldStop);
        if (stopped)
            return std::nullopt;
        for (size_t i = 0; i < count; ++i) {
            const auto doc = start + i;
            // EOS is dropped; a stop string and what follows it are cut.
            const auto text = suites::cutAtStop(run.tokenizer.decode(outputs[i], true),
                                                rule.stop_strings);
            std::vector<std::pair<std::string, double>> itemScores; // in reporting order
            std::string prediction = text;
            for (const auto &answer : suites::extractAnswers(filter, text)) {
                const double correct
                    = suites::exactMatch(filter, answer.answer, items[doc].target) ? 1.0 : 0.0;
                if (filter == suites::AnswerFilter::Line) {
                    prediction = answer.answer;
                    itemScores.emplace_back("exact_match", correct);
                    itemScores.emplace_back(
                        "char_accuracy", characterAccuracy(answer.answer, tok::stripPythonSpace(items[doc].target)));
                } else {
                    itemScores.emplace_back("exact_match," + answer.filter, correct);
                }
            }
            if (names.empty()) {
                for (const auto &[name, value] : itemScores)
                    names.push_back(name);
                perMetric.resize(names.size());
            }
            for (size_t m = 0; m < names.size(); ++m)
                perMetric[m].push_back(itemScores[m].second);
            if (run.options.keep_samples)
                result.samples.push_back({int64_t(doc), items[doc].target, -1, {}, {}, -1,
                                          prediction, {itemScores.begin(), itemScores.end()}});
        }
        progress.advance(int64_t(count));
    }
    for (size_t m = 0; m < names.size(); ++m)
        result.metrics.push_back(meanMetric(names[m], perMetric[m]));
    return result;
}

std::optional<ModeScores> scoreBitsPerByte(Run &run, const std::vector<std::string> &texts,
                                           const std::vector<std::vector<ScoringRequest>> &windows,
                                           int64_t stride)
{
    std::vector<ScoringRequest> all;
    for (const auto &w : windows)
        all.insert(all.end(), w.begin(), w.end());
    auto scores = scoreRequests(run.model, all, run.control);
    if (!scores)
        return std::nullopt;

    const auto format = "rolling loglikelihood; max_length=" + std::to_string(run.maxLength)
        + "; stride=" + std::to_string(stride);
    auto result
        = emptyScores(ScoringMode::BitsPerByte, templateHash(run.task.prompt_template, "", format),
                      int64_t(texts.size()));
    std::vector<double> bits, bytes;
    size_t next = 0;
    for (size_t doc = 0; doc < texts.size(); ++doc) {
        double ll = 0;
        for (size_t i = 0; i < windows[doc].size(); ++i)
            ll += (*scores)[next++].loglikelihood;
        bits.push_back(-ll / std::log(2.0));
        bytes.push_back(double(texts[doc].size()));
        if (run.options.keep_samples)
            result.samples.push_back({int64_t(doc),
                                      "",
                                      -1,
                                      {ll},
                                      {},
                                      -1,
                                      "",
                                      {{"bits_per_byte", bits.back() / bytes.back()}}});
    }
    double totalBits = 0, totalBytes = 0;
    for (size_t i = 0; i < bits.size(); ++i) {
        totalBits += bits[i];
        totalBytes += bytes[i];
    }
    result.metrics = {{"bits_per_byte", totalBits / totalBytes, ratioStandardError(bits, bytes)}};
    return result;
}

template<typename T>
std::vector<T> firstItems(const std::vector<T> &all, int64_t maxItems)
{
    if (maxItems <= 0 || size_t(maxItems) >= all.size())
        return all;
    return std::vector<T>(all.begin(), all.begin() + maxItems);
}

} // namespace

std::string labelPrompt(const data::ChoiceItem &item)
{
    const auto &choices = item.label_choices.empty() ? item.choices : item.label_choices;
    std::string prompt = (item.label_context.empty() ? item.context : item.label_context) + "\n";
    for (size_t i = 0; i < choices.size(); ++i) {
        prompt += i == 0 ? "(" : " (";
        prompt += char('A' + i);
        prompt += ") " + choices[i];
    }
    return prompt + "\nAnswer:";
}

EncodeFn evaluationEncoder(const tok::Tokenizer &tokenizer)
{
    return [tokenizer](std::string_view text) { return tokenizer.encode(text, true); };
}

TaskScores evaluateTask(CausalLm &model, const tok::Tokenizer &tokenizer, const data::Task &task,
                        const EvalOptions &options)
{
    if (model->is_training())
        throw std::logic_error("evaluateTask: the model is in training mode; call eval() on it "
                               "(or on its adapter set) first");
    if (options.batch_size < 1)
        throw std::invalid_argument("evaluateTask: batch_size must be >= 1");
    const auto maxLength
        = options.max_length > 0 ? options.max_length : model->config().max_position_embeddings;
    if (maxLength < 2)
        throw std::invalid_argument("evaluateTask: max_length must be >= 2");
    torch::InferenceMode inference;

    TaskScores out {task.name, task.version, task.general, false, {}};
    Run run {model, tokenizer, task, options, maxLength, {}};
    run.control.batch_size = options.batch_size;
    run.control.pad_token_id = tokenizer.paddingId();
    run.control.should_stop = options.should_stop;

    const auto finish = [&](std::optional<ModeScores> scores) {
        if (!scores) {
            out.cancelled = true;
            return false;
        }
        out.modes.push_back(std::move(*scores));
        return true;
    };

    switch (task.kind) {
    case data::TaskKind::Choice: {
        const auto items = firstItems(task.choiceTest, options.max_items);
        int64_t continuations = 0;
        for (size_t i = 0; i < items.size(); ++i) {
            checkChoices(items[i], i);
            continuations += int64_t(items[i].choices.size());
        }
        // Label mode lists the choices inline after one context: partial evaluation
        // (a context per choice) has no such prompt, so it is scored by log-likelihood only.
        const bool partial = std::any_of(items.begin(), items.end(), [](const auto &item) {
            return !item.shared_continuation.empty();
        });
        const bool ll = options.choice_mode != ChoiceMode::LabelLogits || partial;
        const bool label = options.choice_mode != ChoiceMode::LogLikelihood && !partial;
        Progress progress(options, (ll ? continuations : 0) + (label ? int64_t(items.size()) : 0));
        run.control.on_batch_done = [&](int64_t n) { progress.advance(n); };
        if (ll && !finish(scoreLogLikelihood(run, items)))
            break;
        if (label)
            finish(scoreLabels(run, items));
        break;
    }
    case data::TaskKind::Generation: {
        const auto items = firstItems(task.generationTest, options.max_items);
        Progress progress(options, int64_t(items.size()));
        finish(scoreGeneration(run, items, progress));
        break;
    }
    case data::TaskKind::Text: {
        const auto texts = firstItems(task.texts, options.max_items);
        const auto stride = options.bpb_stride > 0 ? std::min(options.bpb_stride, maxLength)
                                                   : std::max<int64_t>(1, maxLength / 2);
        std::vector<std::vector<ScoringRequest>> windows;
        int64_t total = 0;
        // lm-eval's prefix of rolling windows: BOS, else the end-of-text token.
        const auto prefix = tokenizer.bosId().value_or(tokenizer.eosId().value_or(tokenizer.paddingId()));
        for (const auto &text : texts) {
            windows.push_back(rollingWindows(tokenizer.encode(text, false), prefix, maxLength, stride));
            total += int64_t(windows.back().size());
        }
        Progress progress(options, total);
        run.control.on_batch_done = [&](int64_t n) { progress.advance(n); };
        finish(scoreBitsPerByte(run, texts, windows, stride));
        break;
    }
    }
    if (!task.metrics.empty()) { // only what the task's own harness reports
        for (auto &mode : out.modes)
            std::erase_if(mode.metrics, [&](const MetricScore &m) {
                return std::find(task.metrics.begin(), task.metrics.end(), m.name)
                       == task.metrics.end();
            });
    }
    for (auto &mode : out.modes) // label prompts show no examples
        mode.shots = mode.mode == ScoringMode::LabelLogits ? 0 : task.shots;
    return out;
}

} // namespace slim::engine
