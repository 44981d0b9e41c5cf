// Multiple-choice scoring: lm-eval log-likelihood mode (acc, acc_norm, the trailing-space rule,
// truncation) and the paper's label-token mode, each against a hand computation on a tiny random
// model; batching, probe subsets, cancellation and progress.
#include "engine_test_support.h"

#include "eval/evaluator.h"
#include "tokenizer/builtin_tokenizer.h"

#include <QtTest>

#include <cmath>

using namespace slim::engine;
using namespace slim::engine::test;
namespace data = slim::data;

namespace {

const auto kTok = slim::tok::builtinTokenizer();

std::vector<int64_t> withBos(const std::string &text)
{
    return kTok.encode(text, true);
}

struct Hand
{
    double ll = 0;
    bool greedy = true;
};

// Sum of log P(ids[i] | ids[<i]) over the last `scored` tokens, by tokenLogProbs on the single
// unpadded sequence; greedy by the argmax of the logits.
Hand handScore(CausalLm &model, const std::vector<int64_t> &ids, int64_t scored)
{
    torch::NoGradGuard noGrad;
    auto t = torch::tensor(ids, torch::kLong).unsqueeze(0);
    auto lp = tokenLogProbs(model, t)[0];
    auto argmax = model->forward(t)[0].argmax(-1);
    Hand h;
    const auto n = int64_t(ids.size());
    for (int64_t i = n - scored; i < n; ++i) {
        h.ll += lp[i].item<double>();
        h.greedy = h.greedy && argmax[i - 1].item<int64_t>() == ids[size_t(i)];
    }
    return h;
}

data::Task choiceTask(std::vector<data::ChoiceItem> items)
{
    data::Task t;
    t.name = "probe";
    t.version = "1";
    t.kind = data::TaskKind::Choice;
    t.prompt_template = "{context}";
    t.choiceTest = std::move(items);
    return t;
}

std::vector<data::ChoiceItem> mixedItems()
{
    return {{"The capital of France is", {"Paris", "Rome", "Lima"}, 0},
            {"2 + 2 =", {"4", "5"}, 1},
            {"Colour of the sky on a clear day:", {"blue", "green", "red", "grey"}, 0},
            {"x", {"yes", "no"}, 1},
            {"A long context that goes on for a while before", {"ending", "stopping"}, 0}};
}

EvalOptions withSamples(ChoiceMode mode, int64_t batch = 8)
{
    EvalOptions o;
    o.choice_mode = mode;
    o.keep_samples = true;
    o.batch_size = batch;
    return o;
}

} // namespace

class TestEvalChoice : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void loglikelihoodMatchesHandComputation()
    {
        auto model = tinyModel();
        auto task = choiceTask(mixedItems());
        auto scores = evaluateTask(model, kTok, task, withSamples(ChoiceMode::LogLikelihood));
        QCOMPARE(scores.modes.size(), size_t(1));
        const auto &m = scores.modes[0];
        QCOMPARE(m.mode, ScoringMode::LogLikelihood);
        QCOMPARE(m.template_hash, templateHash("{context}", " "));
        QCOMPARE(m.n, int64_t(5));
        std::vector<double> acc;
        for (size_t d = 0; d < task.choiceTest.size(); ++d) {
            const auto &item = task.choiceTest[d];
            std::vector<double> lls;
            for (size_t c = 0; c < item.choices.size(); ++c) {
                const auto cont = " " + item.choices[c];
                auto h = handScore(model, withBos(item.context + cont), int64_t(cont.size()));
                QVERIFY2(std::abs(m.samples[d].loglikelihoods[c] - h.ll) < 1e-4,
                         qPrintable(QString::number(m.samples[d].loglikelihoods[c] - h.ll)));
                QCOMPARE(bool(m.samples[d].is_greedy[c]), h.greedy);
                lls.push_back(h.ll);
            }
            const auto pred = std::max_element(lls.begin(), lls.end()) - lls.begin();
            QCOMPARE(m.samples[d].predicted, int64_t(pred));
            acc.push_back(pred == item.gold ? 1.0 : 0.0);
        }
        QVERIFY(std::abs(m.metric("acc")->value - (acc[0] + acc[1] + acc[2] + acc[3] + acc[4]) / 5)
                < 1e-12);
        QVERIFY(std::abs(m.metric("acc")->std_error - meanStandardError(acc)) < 1e-12);
    }

    void accAndAccNormDisagreeOnChoiceLength()
    {
        auto model = tinyModel();
        // A one-character choice has the higher total log-likelihood, the long one the higher
        // log-likelihood per character.
        auto task = choiceTask({{"Pick one:", {"b", "bbbbbbbbbbbb"}, 0}});
        auto s0 = handScore(model, withBos("Pick one: b"), 2).ll;
        auto s1 = handScore(model, withBos("Pick one: bbbbbbbbbbbb"), 13).ll;
        QVERIFY(s0 > s1); // acc picks 0
        QVERIFY(s1 / 12 > s0 / 1); // acc_norm picks 1
        auto m = evaluateTask(model, kTok, task, withSamples(ChoiceMode::LogLikelihood)).modes[0];
        QCOMPARE(m.metric("acc")->value, 1.0);
        QCOMPARE(m.metric("acc_norm")->value, 0.0);
    }

    void accNormCountsCharactersNotBytes()
    {
        auto model = tinyModel();
        // "éé" is 2 characters but 4 bytes (5 scored tokens with the delimiter).
        auto task = choiceTask({{"Pick one:", {"\xc3\xa9\xc3\xa9", "b"}, 1}});
        auto s0 = handScore(model, withBos("Pick one: \xc3\xa9\xc3\xa9"), 5).ll;
        auto s1 = handScore(model, withBos("Pick one: b"), 2).ll;
        QVERIFY(s1 / 1 > s0 / 2); // by characters: choice 1 (gold)
        QVERIFY(s0 / 4 > s1 / 1); // by bytes it would be choice 0
        auto m = evaluateTask(model, kTok, task, withSamples(ChoiceMode::LogLikelihood)).modes[0];
        QCOMPARE(m.metric("acc_norm")->value, 1.0);
    }

    void trailingSpacesMoveToTheContinuation()
    {
        const auto encode = evaluationEncoder(kTok);
        auto pair = encodePair(encode, "Answer: ", " yes");
        QCOMPARE(pair.context, withBos("Answer:"));
        QCOMPARE(pair.continuation, kTok.encode("  yes", false));

        // A tokenizer that merges " x" into one token: without the rule the context would end
        // in a lone space token and the continuation would start mid-word.
        const EncodeFn merging = [](std::string_view text) {
            std::vector<int64_t> ids {999};
            for (size_t i = 0; i < text.size(); ++i) {
                if (text[i] == ' ' && i + 1 < text.size() && text[i + 1] != ' ')
                    ids.push_back(1000 + text[++i]);
                else
                    ids.push_back(text[i]);
            }
            return ids;
        };
        auto merged = encodePair(merging, "is ", "Paris");
        QCOMPARE(merged.context, (std::vector<int64_t> {999, 'i', 's'}));
        QCOMPARE(merged.continuation, (std::vector<int64_t> {1000 + 'P', 'a', 'r', 'i', 's'}));

        // End to end: both spaces are scored.
        auto model = tinyModel();
        auto task = choiceTask({{"Answer: ", {"yes", "no"}, 0}});
        auto m = evaluateTask(model, kTok, task, withSamples(ChoiceMode::LogLikelihood)).modes[0];
        auto five = handScore(model, withBos("Answer:  yes"), 5).ll;
        auto four = handScore(model, withBos("Answer:  yes"), 4).ll;
        QVERIFY(std::abs(five - four) > 1e-3);
        QVERIFY(std::abs(m.samples[0].loglikelihoods[0] - five) < 1e-4);
    }

    void longItemsAreLeftTruncatedToTheWindow()
    {
        auto model = tinyModel();
        auto task = choiceTask({{"a context far longer than the window", {"end", "stop"}, 0}});
        auto opts = withSamples(ChoiceMode::LogLikelihood);
        opts.max_length = 8;
        auto m = evaluateTask(model, kTok, task, opts).modes[0];
        for (size_t c = 0; c < 2; ++c) {
            auto all = withBos(task.choiceTest[0].context + " " + task.choiceTest[0].choices[c]);
            std::vector<int64_t> window(all.end() - 9, all.end()); // the last max_length + 1
            auto h = handScore(model, window, int64_t(task.choiceTest[0].choices[c].size() + 1));
            QVERIFY(std::abs(m.samples[0].loglikelihoods[c] - h.ll) < 1e-4);
        }
    }

    void labelModePicksTheArgmaxOfLabelLogits()
    {
        auto model = tinyModel(3);
        auto task = choiceTask(mixedItems());
        QCOMPARE(labelPrompt(task.choiceTest[1]), std::string("2 + 2 =\n(A) 4 (B) 5\nAnswer:"));
        // A suite's item shows the paper's view in label mode: its question and choice texts.
        data::ChoiceItem mmlu("Question...\nA. 3\nB. 4\nAnswer:", {"A", "B"}, 1);
        mmlu.label_context = "2 + 2 =";
        mmlu.label_choices = {"3", "4"};
        QCOMPARE(labelPrompt(mmlu), std::string("2 + 2 =\n(A) 3 (B) 4\nAnswer:"));
        auto m = evaluateTask(model, kTok, task, withSamples(ChoiceMode::LabelLogits)).modes[0];
        QCOMPARE(m.mode, ScoringMode::LabelLogits);
        QVERIFY(m.template_hash != templateHash("{context}", " "));
        QVERIFY(!m.metric("acc_norm"));
        double correct = 0;
        bool truncated = false;
        for (size_t d = 0; d < task.choiceTest.size(); ++d) {
            const auto &item = task.choiceTest[d];
            // The byte tokenizer encodes " A" as a space then "A": the space follows the prompt
            // and the logits predicting "A" are read.
            torch::NoGradGuard noGrad;
            // Prompts longer than the window (max_position_embeddings = 64) keep their end.
            auto prompt = withBos(labelPrompt(item) + " ");
            if (prompt.size() > 64) {
                prompt.erase(prompt.begin(), prompt.end() - 64);
                truncated = true;
            }
            auto ids = torch::tensor(prompt, torch::kLong).unsqueeze(0);
            auto last = model->forward(ids)[0][-1];
            std::vector<int64_t> labels;
            for (size_t c = 0; c < item.choices.size(); ++c)
                labels.push_back('A' + int64_t(c));
            auto lp = torch::log_softmax(last.index_select(0, torch::tensor(labels)), 0);
            const auto pred = lp.argmax().item<int64_t>();
            for (size_t c = 0; c < item.choices.size(); ++c)
                QVERIFY(std::abs(m.samples[d].loglikelihoods[c] - lp[int64_t(c)].item<double>())
                        < 1e-5);
            QCOMPARE(m.samples[d].predicted, pred);
            QCOMPARE(m.samples[d].prediction, item.choices[size_t(pred)]);
            correct += pred == item.gold;
        }
        QVERIFY(std::abs(m.metric("acc")->value - correct / 5) < 1e-12);
        QVERIFY(truncated); // the fixture covers a prompt longer than the window
    }

    void bothModesGiveTwoScoresAndOneProgressTotal()
    {
        auto model = tinyModel();
        auto opts = withSamples(ChoiceMode::Both, 3);
        std::vector<std::pair<int64_t, int64_t>> calls;
        opts.on_progress = [&](int64_t done, int64_t total) { calls.emplace_back(done, total); };
        auto scores = evaluateTask(model, kTok, choiceTask(mixedItems()), opts);
        QCOMPARE(scores.modes.size(), size_t(2));
        QVERIFY(scores.mode(ScoringMode::LogLikelihood) && scores.mode(ScoringMode::LabelLogits));
        QVERIFY(!scores.cancelled);
        // 13 continuations + 5 label prompts.
        QVERIFY(!calls.empty());
        QCOMPARE(calls.back(), std::make_pair(int64_t(18), int64_t(18)));
        for (size_t i = 1; i < calls.size(); ++i)
            QVERIFY(calls[i].first > calls[i - 1].first);
    }

    void batchedScoresEqualUnbatched()
    {
        auto model = tinyModel(5);
        auto task = choiceTask(mixedItems());
        auto one = evaluateTask(model, kTok, task, withSamples(ChoiceMode::Both, 1));
        auto many = evaluateTask(model, kTok, task, withSamples(ChoiceMode::Both, 5));
        for (size_t m = 0; m < 2; ++m) {
            for (size_t d = 0; d < task.choiceTest.size(); ++d) {
                const auto &a = one.modes[m].samples[d], &b = many.modes[m].samples[d];
                for (size_t c = 0; c < a.loglikelihoods.size(); ++c)
                    QVERIFY(std::abs(a.loglikelihoods[c] - b.loglikelihoods[c]) < 1e-5);
                QVERIFY(a.is_greedy == b.is_greedy);
                QCOMPARE(a.predicted, b.predicted);
            }
            QCOMPARE(one.modes[m].metrics[0].value, many.modes[m].metrics[0].value);
        }
    }

    void maxItemsScoresTheFirstItems()
    {
        auto model = tinyModel();
        auto task = choiceTask(mixedItems());
        auto all = evaluateTask(model, kTok, task, withSamples(ChoiceMode::LogLikelihood));
        auto opts = withSamples(ChoiceMode::LogLikelihood);
        opts.max_items = 2;
        auto probe = evaluateTask(model, kTok, task, opts).modes[0];
        QCOMPARE(probe.n, int64_t(2));
        QCOMPARE(probe.samples.size(), size_t(2));
        for (size_t d = 0; d < 2; ++d) {
            QCOMPARE(probe.samples[d].doc_id, int64_t(d));
            QVERIFY(std::abs(probe.samples[d].loglikelihoods[0]
                             - all.modes[0].samples[d].loglikelihoods[0])
                    < 1e-5);
        }
    }

    void cancellationStopsEarly()
    {
        auto model = tinyModel();
        std::vector<data::ChoiceItem> items;
        for (int i = 0; i < 10; ++i)
            items.push_back({"item " + std::to_string(i), {"a", "b", "c"}, 0});
        EvalOptions opts;
        opts.choice_mode = ChoiceMode::Both;
        opts.batch_size = 1;
        int polls = 0;
        int64_t done = 0;
        opts.should_stop = [&] { return ++polls >= 4; };
        opts.on_progress = [&](int64_t d, int64_t) { done = d; };
        auto scores = evaluateTask(model, kTok, choiceTask(items), opts);
        QVERIFY(scores.cancelled);
        QVERIFY(scores.modes.empty());
        QCOMPARE(polls, 4);
        QVERIFY(done <= 3);
    }

    void trainingModeIsRefused()
    {
        auto model = tinyModel();
        model->train();
        QVERIFY_THROWS_EXCEPTION(std::logic_error,
                                 evaluateTask(model, kTok, choiceTask(mixedItems())));
        auto bad = choiceTask({{"x", {"a"}, 3}});
        model->eval();
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, evaluateTask(model, kTok, bad));
    }
};

QTEST_APPLESS_MAIN(TestEvalChoice)
#include "tst_eval_choice.moc"
