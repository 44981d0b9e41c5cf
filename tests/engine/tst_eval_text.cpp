// Generation exact match on a model whose greedy output is known by construction, and bits per
// byte of plain texts: hand computation, lm-eval's rolling windows, full-context oracle,
// batching, cancellation.
#include "engine_test_support.h"

#include "eval/evaluator.h"
#include "tokenizer/builtin_tokenizer.h"

#include <QtTest>

#include <cmath>
#include <numeric>

using namespace slim::engine;
using namespace slim::engine::test;
namespace data = slim::data;

namespace {

const auto kTok = slim::tok::builtinTokenizer();

// A model that answers every byte with its successor ("a" -> "b"), "z" with a newline and "5"
// with EOS: the decoder layers are zeroed, so the final hidden state is the normalised embedding
// of the current token, and lm_head row map(t) is that (unit) embedding.
CausalLm successorModel()
{
    auto model = tinyModel(11);
    torch::NoGradGuard noGrad;
    for (auto &p : model->model->layers->parameters())
        p.zero_();
    auto &emb = model->model->embed_tokens->weight;
    emb.div_(emb.norm(2, 1, true));
    auto &head = model->lm_head_weight;
    head.zero_();
    for (int64_t t = 0; t < 255; ++t)
        head[t + 1].copy_(emb[t]);
    head['\n'].copy_(emb['z']);
    head['{'].zero_();
    head[slim::tok::BuiltinTokens::kEos].copy_(emb['5']);
    head['6'].zero_();
    return model;
}

data::Task generationTask(std::vector<data::GenerationItem> items)
{
    data::Task t;
    t.name = "gen";
    t.kind = data::TaskKind::Generation;
    t.generationTest = std::move(items);
    return t;
}

data::Task textTask(std::vector<std::string> texts)
{
    data::Task t;
    t.name = "heldout";
    t.kind = data::TaskKind::Text;
    t.texts = std::move(texts);
    return t;
}

// log P(ids[i] | ids[<i]) for i >= 1 of one unpadded sequence.
std::vector<double> handLogProbs(CausalLm &model, const std::vector<int64_t> &ids)
{
    torch::NoGradGuard noGrad;
    auto lp = tokenLogProbs(model, torch::tensor(ids, torch::kLong).unsqueeze(0))[0];
    std::vector<double> out;
    for (int64_t i = 1; i < lp.size(0); ++i)
        out.push_back(lp[i].item<double>());
    return out;
}

EvalOptions bpbOptions(int64_t maxLength, int64_t stride, int64_t batch = 8)
{
    EvalOptions o;
    o.max_length = maxLength;
    o.bpb_stride = stride;
    o.batch_size = batch;
    o.keep_samples = true;
    return o;
}

double bpbOf(CausalLm &model, const data::Task &task, const EvalOptions &options)
{
    return evaluateTask(model, kTok, task, options).modes.at(0).metric("bits_per_byte")->value;
}

// lm-eval's (input, prediction) window as one sequence: input + the last predicted token.
ScoringRequest lmEvalWindow(std::vector<int64_t> input, const std::vector<int64_t> &pred)
{
    input.push_back(pred.back());
    return {input, int64_t(pred.size())};
}

} // namespace

class TestEvalText : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void exactMatchComparesTheKnownGreedyOutput()
    {
        auto model = successorModel();
        auto task = generationTask({{"Count on: a", "bcdefg"}, // runs into max_new_tokens
                                    {"Letters: w", "xyz"}, // stops at the newline
                                    {"Digits: 1", "  2345 \n"}, // stops at EOS; target stripped
                                    {"Letters: w", "xyz{"}}); // wrong
        EvalOptions opts;
        opts.max_new_tokens = 6;
        opts.keep_samples = true;
        opts.batch_size = 3;
        auto scores = evaluateTask(model, kTok, task, opts);
        const auto &m = scores.modes.at(0);
        QCOMPARE(m.mode, ScoringMode::ExactMatch);
        QCOMPARE(m.samples[0].prediction, std::string("bcdefg"));
        QCOMPARE(m.samples[1].prediction, std::string("xyz"));
        QCOMPARE(m.samples[2].prediction, std::string("2345"));
        QCOMPARE(m.samples[3].scores.at("exact_match"), 0.0);
        QCOMPARE(m.metric("exact_match")->value, 0.75);
        QVERIFY(std::abs(m.metric("exact_match")->std_error - meanStandardError({1, 1, 1, 0}))
                < 1e-12);
        // Partial credit: "xyz" against "xyz{" has 3 of its 4 characters in place.
        QCOMPARE(m.samples[3].scores.at("char_accuracy"), 0.75);
        QCOMPARE(m.metric("char_accuracy")->value, (1 + 1 + 1 + 0.75) / 4);
        QVERIFY(std::abs(m.metric("char_accuracy")->std_error
                         - meanStandardError({1, 1, 1, 0.75}))
                < 1e-12);
    }

    // lm-eval's generate_until: a stop string ends the generation and is cut with what follows;
    // each filter gives its own exact_match; a task's metric list keeps only those it names.
    void stopStringsAndAnswerFiltersAreLmEvals()
    {
        auto model = successorModel();
        auto task = generationTask({{"Count on: a", "#### 9"}, // "bcdef": stops at "ef"
                                    {"Digits: 1", "Sum.\n#### 2,345"}}); // "2345", then EOS
        task.generation.stop_strings = {"ef", "Question:"};
        task.generation.answer_filter = "gsm8k";
        task.generation.max_new_tokens = 10;
        EvalOptions opts;
        opts.keep_samples = true;
        auto scores = evaluateTask(model, kTok, task, opts);
        const auto &m = scores.modes.at(0);
        QCOMPARE(m.samples[0].prediction, std::string("bcd"));
        QCOMPARE(m.samples[1].prediction, std::string("2345"));
        QCOMPARE(m.metrics.size(), size_t(2));
        QCOMPARE(m.metrics[0].name, std::string("exact_match,strict-match"));
        QCOMPARE(m.metrics[0].value, 0.0); // no "#### N" in either output
        QCOMPARE(m.metrics[1].name, std::string("exact_match,flexible-extract"));
        QCOMPARE(m.metrics[1].value, 0.5); // "2345" equals "#### 2,345" once normalised

        task.metrics = {"exact_match,flexible-extract"};
        scores = evaluateTask(model, kTok, task, opts);
        QCOMPARE(scores.modes.at(0).metrics.size(), size_t(1));
        QCOMPARE(scores.modes.at(0).metrics[0].value, 0.5);
    }

    void characterAccuracyCountsCharactersInPlace()
    {
        auto model = successorModel();
        // Greedy outputs "bcd", "xyz", "xyz": against "bxd" 2 of 3 characters in place; against
        // "zyx" 1 of 3; against "x" 1 of 3 (characters beyond the target count as wrong).
        auto task = generationTask({{"Count on: a", "bxd"},
                                    {"Letters: w", "zyx"},
                                    {"Letters: w", "x"}});
        EvalOptions opts;
        opts.max_new_tokens = 3;
        opts.keep_samples = true;
        auto scores = evaluateTask(model, kTok, task, opts);
        const auto &m = scores.modes.at(0);
        QCOMPARE(m.samples[0].prediction, std::string("bcd"));
        QVERIFY(std::abs(m.samples[0].scores.at("char_accuracy") - 2.0 / 3) < 1e-12);
        QVERIFY(std::abs(m.samples[1].scores.at("char_accuracy") - 1.0 / 3) < 1e-12);
        QCOMPARE(m.samples[2].prediction, std::string("xyz"));
        QVERIFY(std::abs(m.samples[2].scores.at("char_accuracy") - 1.0 / 3) < 1e-12);
    }

    void exactMatchCancellationStopsEarly()
    {
        auto model = successorModel();
        auto task = generationTask({{"a", "b"}, {"b", "c"}, {"c", "d"}});
        EvalOptions opts;
        opts.batch_size = 1;
        int polls = 0;
        opts.should_stop = [&] { return ++polls >= 3; };
        auto scores = evaluateTask(model, kTok, task, opts);
        QVERIFY(scores.cancelled);
        QVERIFY(scores.modes.empty());
        QCOMPARE(polls, 3);
    }

    void bitsPerByteMatchesHandComputation()
    {
        auto model = tinyModel();
        const std::vector<std::string> texts = {"hello world", "h\xc3\xa9llo"}; // 11 and 6 bytes
        auto m = evaluateTask(model, kTok, textTask(texts), bpbOptions(0, 0)).modes.at(0);
        QCOMPARE(m.mode, ScoringMode::BitsPerByte);
        std::vector<double> bits, bytes;
        for (size_t i = 0; i < texts.size(); ++i) {
            double ll = 0;
            for (double v : handLogProbs(model, kTok.encode(texts[i], true)))
                ll += v;
            QVERIFY(std::abs(m.samples[i].loglikelihoods.at(0) - ll) < 1e-4);
            bits.push_back(-ll / std::log(2.0));
            bytes.push_back(double(texts[i].size()));
        }
        QCOMPARE(bytes[1], 6.0);
        const double expected = (bits[0] + bits[1]) / 17.0;
        QVERIFY(std::abs(m.metric("bits_per_byte")->value - expected) < 1e-5);
        QVERIFY(std::abs(m.samples[0].scores.at("bits_per_byte") - bits[0] / 11) < 1e-5);
        QVERIFY(std::abs(m.metric("bits_per_byte")->std_error - ratioStandardError(bits, bytes))
                < 1e-5);
    }

    void rollingWindowsAreLmEvals()
    {
        std::vector<int64_t> x(34);
        std::iota(x.begin(), x.end(), 0);
        auto range = [](int64_t a, int64_t b) {
            std::vector<int64_t> v;
            for (int64_t i = a; i < b; ++i)
                v.push_back(i);
            return v;
        };
        // lm-eval's test_get_rolling_token_windows_v1 (max_seq_len 10, context_len 1).
        auto first = range(0, 9);
        first.insert(first.begin(), -100);
        std::vector<ScoringRequest> v1 = {
            lmEvalWindow(first, range(0, 10)), lmEvalWindow(range(9, 19), range(10, 20)),
            lmEvalWindow(range(19, 29), range(20, 30)), lmEvalWindow(range(23, 33), range(30, 34))};
        auto got = rollingWindows(x, -100, 10, 10);
        QCOMPARE(got.size(), v1.size());
        for (size_t i = 0; i < v1.size(); ++i) {
            QCOMPARE(got[i].tokens, v1[i].tokens);
            QCOMPARE(got[i].scored, v1[i].scored);
        }
        // test_get_rolling_token_windows_v2 (context_len 8, i.e. stride 3).
        got = rollingWindows(x, -100, 10, 3);
        QCOMPARE(got.size(), size_t(9));
        QCOMPARE(got[1].tokens, lmEvalWindow(range(2, 12), range(10, 13)).tokens);
        QCOMPARE(got[8].tokens, lmEvalWindow(range(23, 33), range(31, 34)).tokens);
        int64_t scored = 0;
        for (const auto &w : got)
            scored += w.scored;
        QCOMPARE(scored, int64_t(34));
    }

    void shortTextIsOneWindowWhateverTheSettings()
    {
        auto model = tinyModel();
        auto task = textTask({"twenty bytes of text"});
        const double full = bpbOf(model, task, bpbOptions(64, 0));
        for (auto [len, stride] :
             {std::pair<int64_t, int64_t> {64, 64}, {32, 1}, {21, 7}, {20, 20}})
            QVERIFY(std::abs(bpbOf(model, task, bpbOptions(len, stride)) - full) < 1e-9);
        // A window shorter than the text loses context, so the score moves.
        QVERIFY(std::abs(bpbOf(model, task, bpbOptions(8, 8)) - full) > 1e-4);
    }

    void strideOneGivesEveryByteTheFullWindow()
    {
        auto model = tinyModel(2);
        const std::string text = "a text of thirty bytes, or so!";
        const int64_t window = 8;
        auto ids = kTok.encode(text, false);
        double expected = 0;
        for (size_t i = 0; i < ids.size(); ++i) {
            // Oracle: BOS + everything before while it fits, else the previous `window` bytes.
            std::vector<int64_t> seq;
            if (i < size_t(window)) {
                seq = kTok.encode(text.substr(0, i + 1), true);
            } else {
                seq.assign(ids.begin() + int64_t(i) - window, ids.begin() + int64_t(i) + 1);
            }
            expected += handLogProbs(model, seq).back();
        }
        auto m = evaluateTask(model, kTok, textTask({text}), bpbOptions(window, 1, 5)).modes.at(0);
        QVERIFY(std::abs(m.samples[0].loglikelihoods[0] - expected) < 1e-4);
    }

    void batchedBitsPerByteEqualsUnbatched()
    {
        auto model = tinyModel(4);
        auto task = textTask({"short", "a somewhat longer text that needs several windows",
                              "medium length text", "x"});
        auto one = evaluateTask(model, kTok, task, bpbOptions(16, 5, 1)).modes.at(0);
        auto many = evaluateTask(model, kTok, task, bpbOptions(16, 5, 7)).modes.at(0);
        for (size_t i = 0; i < 4; ++i)
            QVERIFY(std::abs(one.samples[i].loglikelihoods[0] - many.samples[i].loglikelihoods[0])
                    < 1e-4);
        QVERIFY(std::abs(one.metrics[0].value - many.metrics[0].value) < 1e-6);
        QVERIFY(one.template_hash
                != evaluateTask(model, kTok, task, bpbOptions(16, 8)).modes[0].template_hash);
    }

    void bitsPerByteCancellationStopsEarly()
    {
        auto model = tinyModel();
        auto task = textTask({std::string(200, 'q')});
        auto opts = bpbOptions(16, 4, 1);
        int polls = 0;
        int64_t done = -1, total = -1;
        opts.should_stop = [&] { return ++polls >= 2; };
        opts.on_progress = [&](int64_t d, int64_t t) { done = d, total = t; };
        auto scores = evaluateTask(model, kTok, task, opts);
        QVERIFY(scores.cancelled);
        QCOMPARE(polls, 2);
        QCOMPARE(done, int64_t(1));
        QCOMPARE(total, int64_t(1 + (200 - 16 + 3) / 4));
    }
};

QTEST_APPLESS_MAIN(TestEvalText)
#include "tst_eval_text.moc"
