// The training loop: exact resume, schedules, batches, cancellation, reports to the observer.
#include "engine_test_support.h"

#include "train/batch_builder.h"
#include "tokenizer/builtin_tokenizer.h"
#include "train/trainer.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace slim::engine;
using namespace slim::engine::test;

namespace {

class CyclingSource : public ExampleSource
{
public:
    std::vector<slim::data::TextExample> examples(int64_t step, int64_t micro, int64_t count) override
    {
        static const std::vector<slim::data::TextExample> pool = {
            {"Name: Mary. Gender:", " female"}, {"Name: John. Gender:", " male"},
            {"Reverse: abcd ->", " dcba"},      {"Review: great fun. Sentiment:", " positive"},
            {"Name: Anna. Gender:", " female"}, {"Review: dull. Sentiment:", " negative"}};
        std::vector<slim::data::TextExample> out;
        for (int64_t i = 0; i < count; ++i)
            out.push_back(pool[size_t((step * 7 + micro * 3 + i) % int64_t(pool.size()))]);
        return out;
    }
};

class CountingObserver : public RunObserver
{
public:
    void metrics(const std::vector<MetricSample> &m) override
    {
        for (const auto &s : m)
            names.insert(s.name);
    }
    void routing(int64_t, const std::string &probe, const std::vector<RoutingReport> &r) override
    {
        routingReports += int(r.size());
        QCOMPARE(probe, std::string("train"));
    }
    void clusters(int64_t, const std::string &, const std::vector<ClusterReport> &c) override
    {
        clusterReports += int(c.size());
    }
    void checkpointSaved(int64_t step, const std::string &, const std::string &sha256,
                         int64_t bytes) override
    {
        checkpoints.push_back(step);
        QVERIFY(bytes > 0);
        QCOMPARE(sha256.size(), size_t(64));
    }
    std::set<std::string> names;
    int routingReports = 0, clusterReports = 0;
    std::vector<int64_t> checkpoints;
};

TrainOptions smallSchedule()
{
    TrainOptions o;
    o.steps = 6;
    o.batch_size = 4;
    o.grad_accum = 2;
    o.lr = 5e-3;
    o.lr_schedule = "cosine";
    o.warmup_steps = 2;
    o.log_every = 2;
    o.checkpoint_every = 3;
    o.answer_only_loss = true;
    return o;
}

AdapterConfig smallSlim()
{
    auto c = AdapterConfig::defaultsFor(AdapterMethod::Slim);
    c.num_lora_experts = 3;
    c.lora_rank = 2;
    c.lora_alpha = 4;
    c.num_clusters = 2;
    return c;
}

} // namespace

class TestTrainer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void batchLabelsPredictTheNextAnswerToken()
    {
        const auto tok = slim::tok::builtinTokenizer();
        const BatchOptions answers {16, true, true, false};
        auto batch = buildBatch({{"ab", "c"}, {"x", "yz"}}, tok, answers);
        // Row 0: BOS a b c EOS; answer tokens c, EOS are predicted from positions 2 and 3.
        QCOMPARE(batch.ids.sizes().vec(), (std::vector<int64_t>{2, 5}));
        QCOMPARE(batch.labels[0][1].item<int64_t>(), int64_t(-100));
        QCOMPARE(batch.labels[0][2].item<int64_t>(), int64_t('c'));
        QCOMPARE(batch.labels[0][3].item<int64_t>(), slim::tok::BuiltinTokens::kEos);
        QCOMPARE(batch.labels[0][4].item<int64_t>(), int64_t(-100));
        QCOMPARE(batch.labels[1][1].item<int64_t>(), int64_t('y'));
        QCOMPARE(batch.mask[1][4].item<int64_t>(), int64_t(1));
        QCOMPARE(batch.lossTokens, int64_t(5));
        auto all = buildBatch({{"ab", "c"}}, tok, {16, false, false, false});
        QCOMPARE(all.labels[0][0].item<int64_t>(), int64_t('a'));
        QCOMPARE(all.lossTokens, int64_t(3));
        // Cut to max length (and counted); an example whose answer is cut away is dropped.
        auto cut = buildBatch({{"abcdef", "g"}, {"ab", "cdefgh"}}, tok, {4, true, true, false});
        QCOMPARE(cut.ids.size(0), int64_t(1));
        QCOMPARE(cut.truncated, int64_t(2));
        QCOMPARE(cut.dropped, int64_t(1));
        // An empty answer still teaches the EOS.
        QCOMPARE(buildBatch({{"ab", ""}}, tok, answers).lossTokens, int64_t(1));
    }

    void segmentsCarryTheLossOfTheirAnswers()
    {
        const auto tok = slim::tok::builtinTokenizer();
        slim::data::TextExample chat;
        chat.segments = {{"Q1", false}, {"A1", true}, {"Q2", false}, {"A2", true}};
        auto batch = buildBatch({chat}, tok, {32, true, true, false});
        // BOS Q 1 A 1 Q 2 A 2 EOS: targets are the answers' tokens and the EOS after the last.
        QCOMPARE(batch.ids.size(1), int64_t(10));
        std::vector<int64_t> labels;
        for (int64_t t = 0; t < 10; ++t)
            labels.push_back(batch.labels[0][t].item<int64_t>());
        const std::vector<int64_t> expected {-100, -100, 'A', '1', -100, -100, 'A', '2',
                                             slim::tok::BuiltinTokens::kEos, -100};
        QCOMPARE(labels, expected);
        // All tokens when not training on answers only; no BOS/EOS when the text has its own.
        QCOMPARE(buildBatch({chat}, tok, {32, false, true, false}).lossTokens, int64_t(9));
        chat.own_special_tokens = true;
        auto own = buildBatch({chat}, tok, {32, true, true, false});
        QCOMPARE(own.ids.size(1), int64_t(8));
        QCOMPARE(own.ids[0][0].item<int64_t>(), int64_t('Q'));
        QCOMPARE(own.lossTokens, int64_t(4));
    }

    void packingNumbersTheExamplesOfARow()
    {
        const auto tok = slim::tok::builtinTokenizer();
        // Four examples of 5 tokens (BOS + 2 + 1 + EOS) into rows of 12: two a row.
        std::vector<slim::data::TextExample> examples {{"ab", "c"}, {"de", "f"}, {"gh", "i"},
                                                       {"jk", "l"}};
        auto packed = buildBatch(examples, tok, {12, true, true, true});
        QCOMPARE(packed.ids.sizes().vec(), (std::vector<int64_t>{2, 10}));
        std::vector<int64_t> mask;
        for (int64_t t = 0; t < 10; ++t)
            mask.push_back(packed.mask[0][t].item<int64_t>());
        QCOMPARE(mask, (std::vector<int64_t>{1, 1, 1, 1, 1, 2, 2, 2, 2, 2}));
        // The last token of an example predicts nothing (not the next example's BOS).
        QCOMPARE(packed.labels[0][4].item<int64_t>(), int64_t(-100));
        QCOMPARE(packed.labels[0][7].item<int64_t>(), int64_t('f'));
        QCOMPARE(packed.lossTokens, buildBatch(examples, tok, {12, true, true, false}).lossTokens);
    }

    void learningRateSchedules()
    {
        TrainOptions o;
        o.steps = 10;
        o.lr = 1.0;
        o.warmup_steps = 2;
        o.lr_schedule = "cosine";
        o.min_lr_ratio = 0.1;
        QCOMPARE(learningRateAt(o, 0), 0.5);
        QCOMPARE(learningRateAt(o, 1), 1.0);
        QVERIFY(std::abs(learningRateAt(o, 2) - 1.0) < 1e-12);
        QVERIFY(std::abs(learningRateAt(o, 10) - 0.1) < 1e-12);
        o.lr_schedule = "linear";
        QVERIFY(std::abs(learningRateAt(o, 6) - 0.55) < 1e-12);
        o.lr_schedule = "constant";
        QCOMPARE(learningRateAt(o, 7), 1.0);
    }

    void resumeContinuesExactlyAsUninterrupted()
    {
        QTemporaryDir dir;
        const std::filesystem::path root = dir.path().toStdString();
        CyclingSource source;
        CountingObserver observer;
        std::vector<double> uninterrupted;
        {
            auto model = tinyModel(1);
            torch::manual_seed(5);
            AdapterSet set(model, smallSlim());
            Trainer trainer(set, smallSchedule(), source, slim::tok::builtinTokenizer(), observer, root / "a");
            QCOMPARE(trainer.run({}), RunStatus::Succeeded);
            uninterrupted = trainer.lmLosses();
        }
        QCOMPARE(uninterrupted.size(), size_t(6));
        QCOMPARE(observer.checkpoints, (std::vector<int64_t>{3, 6}));
        QVERIFY(observer.names.count("loss/lm") && observer.names.count("loss/l1")
                && observer.names.count("lr") && observer.names.count("tokens_per_sec"));
        QCOMPARE(observer.routingReports, 3 * 2); // 3 logging steps x 2 layers
        QCOMPARE(observer.clusterReports, 3 * 2);

        auto model = tinyModel(1);
        torch::manual_seed(99); // a different fresh state: the checkpoint must restore all
        AdapterSet set(model, smallSlim());
        CountingObserver second;
        Trainer resumed(set, smallSchedule(), source, slim::tok::builtinTokenizer(), second, root / "b");
        resumed.resumeFrom(root / "a" / "step_000003");
        QCOMPARE(resumed.step(), int64_t(3));
        resumed.run({});
        const auto tail = resumed.lmLosses();
        QCOMPARE(tail.size(), size_t(3));
        for (size_t i = 0; i < 3; ++i)
            QCOMPARE(tail[i], uninterrupted[3 + i]);
    }

    void fullFineTuningResumesToo()
    {
        QTemporaryDir dir;
        const std::filesystem::path root = dir.path().toStdString();
        CyclingSource source;
        RunObserver quiet;
        auto config = AdapterConfig::defaultsFor(AdapterMethod::Full);
        std::vector<double> uninterrupted;
        {
            auto model = tinyModel(1);
            AdapterSet set(model, config);
            Trainer trainer(set, smallSchedule(), source, slim::tok::builtinTokenizer(), quiet, root / "a");
            trainer.run({});
            uninterrupted = trainer.lmLosses();
        }
        auto model = tinyModel(2);
        AdapterSet set(model, config);
        Trainer resumed(set, smallSchedule(), source, slim::tok::builtinTokenizer(), quiet, root / "b");
        resumed.resumeFrom(root / "a" / "step_000003");
        resumed.run({});
        QCOMPARE(resumed.lmLosses(), std::vector<double>(uninterrupted.begin() + 3, uninterrupted.end()));
    }

    void stopRequestCancelsAndKeepsACheckpoint()
    {
        QTemporaryDir dir;
        CyclingSource source;
        CountingObserver observer;
        auto model = tinyModel(1);
        AdapterSet set(model, smallSlim());
        auto options = smallSchedule();
        options.checkpoint_every = 0;
        options.eval_every = 1;
        Trainer trainer(set, options, source, slim::tok::builtinTokenizer(), observer, dir.path().toStdString());
        std::stop_source stop;
        int evaluations = 0;
        trainer.evaluate = [&](int64_t step, bool) {
            ++evaluations;
            if (step == 2)
                stop.request_stop();
        };
        QCOMPARE(trainer.run(stop.get_token()), RunStatus::Cancelled);
        QCOMPARE(trainer.step(), int64_t(2));
        QCOMPARE(evaluations, 2);
        QCOMPARE(observer.checkpoints, (std::vector<int64_t>{2}));
        QVERIFY(std::filesystem::exists(dir.path().toStdString() + "/step_000002/trainer_state.json"));
    }
};

QTEST_APPLESS_MAIN(TestTrainer)
#include "tst_trainer.moc"
