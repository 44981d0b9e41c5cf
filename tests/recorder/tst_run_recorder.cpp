// RunRecorder: observer events become the right store rows; summaries and forgetting
// arithmetic; the base-score cache round trip.
#include "recorder/run_recorder.h"

#include "scores/run_summary.h"
#include "store/database.h"

#include <nlohmann/json.hpp>

#include <QTemporaryDir>
#include <QtTest>

using namespace slim;
using namespace slim::store;

namespace {

engine::EvalRecord record(const std::string &task, bool general, const std::string &metric,
                          ScoringMode mode, double value)
{
    engine::EvalRecord r;
    r.step = 100;
    r.task = task;
    r.general = general;
    r.metric = metric;
    r.mode = mode;
    r.value = value;
    r.stderr_ = 0.01;
    r.n = 200;
    r.template_hash = "h";
    r.is_final = true;
    r.floor = 0.25;
    return r;
}

} // namespace

class TestRunRecorder : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void storedSummaryIsTheScoresLibrarys()
    {
        // The recorder writes the summary core/scores computes from the stored rows and the
        // cached base scores (tests/scores pins the rule itself).
        QTemporaryDir dir;
        RunStore store((dir.path() + "/runs.sqlite").toStdString());
        RunRecord run;
        run.name = "r";
        const auto id = store.createRun(run);
        RunRecorder recorder(store, id);
        engine::RunPrepared prepared;
        prepared.model_hash = "model";
        recorder.prepared(prepared);
        const auto LL = ScoringMode::LogLikelihood;
        recorder.put({"model", "capitals", "test", ""},
                     {{"acc", LL, "h", 0, 0.90, 0.01, 200}, {"acc_norm", LL, "h", 0, 0.95, 0.01, 200}});
        recorder.put({"model", "continents", "test", ""}, {{"acc", LL, "h", 0, 0.60, 0.01, 200}});
        recorder.put({"model", "brown_heldout", "test", ""},
                     {{"bits_per_byte", ScoringMode::BitsPerByte, "h", 0, 2.4, 0.01, 200}});
        recorder.evalResults({
            record("capitals", true, "acc", LL, 0.60),
            record("capitals", true, "acc_norm", LL, 0.10), // not primary
            record("capitals", true, "acc", ScoringMode::LabelLogits, 0.20), // other mode
            record("continents", true, "acc", LL, 0.50),
            record("brown_heldout", true, "bits_per_byte", ScoringMode::BitsPerByte, 3.0),
            record("name_gender", false, "acc", LL, 0.80),
            record("reversal", false, "exact_match", ScoringMode::ExactMatch, 0.30),
        });
        const auto stored = *store.getRun(id);
        const auto expected = scores::summarise(scores::readRunScores(store, id, true));
        QCOMPARE(stored.generalAvg, expected.general);
        QCOMPARE(stored.downstreamAvg, expected.downstream);
        QCOMPARE(stored.forgettingAvg, expected.forgetting);
        QVERIFY(std::abs(*stored.generalAvg - 0.55) < 1e-12);
        QVERIFY(std::abs(*stored.forgettingAvg - 0.20) < 1e-12); // ((0.9-0.6) + (0.6-0.5)) / 2
        QVERIFY(std::abs(*stored.downstreamAvg - 0.55) < 1e-12);
        const auto versions = nlohmann::json::parse(stored.versionsJson);
        QCOMPARE(versions.value("sqlite", std::string()), sqliteLibraryVersion());
    }

    void eventsBecomeRows()
    {
        QTemporaryDir dir;
        RunStore store((dir.path() + "/runs.sqlite").toStdString());
        RunRecord run;
        run.name = "r";
        run.method = "slim";
        const auto id = store.createRun(run);
        RunRecorder recorder(store, id);
        recorder.started();
        engine::RunPrepared prepared;
        prepared.device = "cpu";
        prepared.model_hash = "abc";
        prepared.dataset_hashes = {{"capitals", "123"}};
        prepared.versions = {{"libtorch", "1.13.1"}};
        recorder.prepared(prepared);
        recorder.metrics({{10, "loss/lm", 2.5}, {10, "lr", 1e-3}});
        engine::RoutingReport routing;
        routing.layer = 1;
        routing.site = "mlp";
        routing.tokens = 64;
        routing.mean_weight = {0.5, 0.3, 0.2};
        routing.selection_share = {0.4, 0.4, 0.2};
        routing.is_identity = {false, false, true};
        routing.identity_mass = 0.2;
        recorder.routing(10, "general", {routing});
        engine::ClusterReport clusters;
        clusters.layer = 1;
        clusters.dim = 2;
        clusters.centres = {1, 2, 3, 4};
        clusters.sizes = {5, 7};
        clusters.drift = {0.1, 0.2};
        clusters.mean_sigma = {1, 1};
        clusters.dplus_histogram.assign(40, 1);
        recorder.clusters(10, "train", {clusters});
        recorder.put({"abc", "capitals", "test", ""},
                     {{"acc", ScoringMode::LogLikelihood, "h", 0, 0.9, 0.01, 200}});
        recorder.evalResults({record("capitals", true, "acc", ScoringMode::LogLikelihood, 0.6)});
        recorder.checkpointSaved(10, "/tmp/ckpt", "", 123);
        recorder.finished({engine::RunStatus::Succeeded, "done", ""});

        auto stored = *store.getRun(id);
        QCOMPARE(stored.status, RunStatus::Succeeded);
        QCOMPARE(stored.device, std::string("cpu"));
        QVERIFY(stored.datasetHashesJson.find("\"base_model\":\"abc\"") != std::string::npos);
        QVERIFY(std::abs(*stored.forgettingAvg - 0.3) < 1e-12);
        QCOMPARE(store.metricNames(id), (std::vector<std::string>{"loss/lm", "lr"}));
        auto experts = store.routingExpertStats(id);
        QCOMPARE(experts.size(), size_t(3));
        QVERIFY(experts[2].isIdentity && experts[2].meanWeight == 0.2);
        QCOMPARE(store.routingLayerStats(id).at(0).probe, std::string("general"));
        auto centres = store.clusterCentres(id);
        QCOMPARE(centres.size(), size_t(2));
        QCOMPARE(centres[1].centre, (std::vector<float>{3, 4}));
        QCOMPARE(centres[1].size, int64_t(7));
        QCOMPARE(store.evalResults(id).at(0).floor, std::optional<double>(0.25));
        QCOMPARE(store.latestCheckpoint(id)->step, int64_t(10));
    }

    void baseScoreCacheRoundTrips()
    {
        QTemporaryDir dir;
        RunStore store((dir.path() + "/runs.sqlite").toStdString());
        RunRecorder recorder(store, store.createRun(RunRecord{}));
        engine::TaskScoreKey key{"model", "capitals", "test", "1:abcd"};
        QVERIFY(!recorder.find(key));
        recorder.put(key, {{"acc", ScoringMode::LogLikelihood, "h1", 0, 0.9, 0.02, 247},
                           {"acc", ScoringMode::LabelLogits, "h2", 0, 0.7, 0.03, 247}});
        auto rows = recorder.find(key);
        QVERIFY(rows && rows->size() == 2);
        double sum = 0;
        for (const auto &r : *rows)
            sum += r.value;
        QVERIFY(std::abs(sum - 1.6) < 1e-12);
        QVERIFY(!recorder.find({"model", "capitals", "test", "2:ffff"})); // new task version
    }
};

QTEST_APPLESS_MAIN(TestRunRecorder)
#include "tst_run_recorder.moc"
