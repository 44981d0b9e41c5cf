// RunStore: run lifecycle, listing filters, tags and notes, cascade delete, the analysis tables,
// files, base score cache, interrupted runs.
#include "store/process_info.h"
#include "store/run_store.h"
#include "store_test_support.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

#include <unistd.h>

using namespace slim::store;

namespace {

std::vector<std::string> names(const std::vector<RunSummary> &runs)
{
    std::vector<std::string> out;
    for (const auto &run : runs)
        out.push_back(run.name);
    return out;
}

RunRecord makeRun(const std::string &name, const std::string &method,
                  std::vector<std::string> tags = {}, const std::string &notes = {})
{
    RunRecord run;
    run.name = name;
    run.method = method;
    run.tags = std::move(tags);
    run.notes = notes;
    return run;
}

std::int64_t deadPid()
{
    // A process that has certainly exited and been reaped.
    QProcess process;
    process.start(QStringLiteral("true"));
    const std::int64_t pid = process.processId(); // Qt forgets it once the process finished
    process.waitForFinished();
    return pid;
}

} // namespace

class TestRunStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        QVERIFY(m_dir.isValid());
        m_store.emplace(test::dbPath(m_dir, QTest::currentTestFunction()));
    }
    void cleanup() { m_store.reset(); }

    void lifecycleIsRecorded()
    {
        RunRecord spec = makeRun("r1", "slim", {"b", "a"});
        spec.specJson = R"({"method":"slim","lora_rank":8})";
        spec.seed = 42;
        spec.gitCommit = "abc123";
        spec.versionsJson = R"({"libtorch":"2.3.0","sqlite":"3.40.1"})";
        spec.device = "cpu";
        const std::int64_t id = m_store->createRun(spec);
        auto run = m_store->getRun(id);
        QVERIFY(run);
        QCOMPARE(run->status, RunStatus::Queued);
        QCOMPARE(run->uuid.size(), std::size_t(36));
        QCOMPARE(run->tags, (std::vector<std::string> {"a", "b"}));
        QCOMPARE(run->seed, std::optional<std::int64_t>(42));
        QCOMPARE(run->versionsJson, spec.versionsJson);
        QCOMPARE(run->pid, std::optional<std::int64_t>(currentProcessId()));
        QVERIFY(run->createdAt.size() == 24 && run->createdAt.back() == 'Z');
        QVERIFY(run->startedAt.empty() && run->finishedAt.empty());

        m_store->startRun(id);
        m_store->updateProgress(id, 50, 200, 0.25);
        run = m_store->getRun(id);
        QCOMPARE(run->status, RunStatus::Running);
        QVERIFY(!run->startedAt.empty());
        QCOMPARE(run->currentStep, 50);
        QCOMPARE(run->totalSteps, 200);
        QCOMPARE(run->progress, 0.25);
        QVERIFY(!run->heartbeatAt.empty());

        m_store->updateProgress(id, 60, 200, 7.0); // clamped, not a CHECK failure
        QCOMPARE(m_store->getRun(id)->progress, 1.0);
        m_store->setSummary(id, 0.7, 0.4, std::nullopt);
        m_store->setStatus(id, RunStatus::Failed, "out of memory", "std::bad_alloc at step 60");
        run = m_store->getRun(id);
        QCOMPARE(run->status, RunStatus::Failed);
        QVERIFY(!run->finishedAt.empty());
        QCOMPARE(run->errorMessage, std::string("out of memory"));
        QCOMPARE(run->errorDetail, std::string("std::bad_alloc at step 60"));
        QCOMPARE(run->downstreamAvg, std::optional<double>(0.7));
        m_store->setEnvironment(id, "cuda:0", R"({"cuda":"12.4"})", R"({"arc":"sha"})");
        run = m_store->getRun(id);
        QCOMPARE(run->device, std::string("cuda:0"));
        QCOMPARE(run->versionsJson, std::string(R"({"cuda":"12.4"})"));
        QCOMPARE(run->datasetHashesJson, std::string(R"({"arc":"sha"})"));
        QCOMPARE(run->forgettingAvg, std::optional<double>());

        QVERIFY(!m_store->getRun(id + 1));
        QVERIFY_THROWS_EXCEPTION(StoreError, m_store->setStatus(id + 1, RunStatus::Running));
    }

    void listRunsFilters()
    {
        const auto a = m_store->createRun(makeRun("alpha lora", "lora", {"sweep"}, "rank 8"));
        const auto b = m_store->createRun(makeRun("beta", "slim", {"sweep", "paper"}));
        const auto c = m_store->createRun(makeRun("gamma", "slim", {}, "bad_idea 100%"));
        m_store->setStatus(b, RunStatus::Succeeded);
        m_store->setSummary(a, 0.5, std::nullopt, std::nullopt);
        m_store->setSummary(c, 0.9, std::nullopt, std::nullopt);

        QCOMPARE(names(m_store->listRuns()),
                 (std::vector<std::string> {"gamma", "beta", "alpha lora"}));
        RunFilter f;
        f.order = RunOrder::OldestFirst;
        QCOMPARE(names(m_store->listRuns(f)),
                 (std::vector<std::string> {"alpha lora", "beta", "gamma"}));
        f = {};
        f.method = "slim";
        QCOMPARE(names(m_store->listRuns(f)), (std::vector<std::string> {"gamma", "beta"}));
        f = {};
        f.status = RunStatus::Succeeded;
        QCOMPARE(names(m_store->listRuns(f)), std::vector<std::string> {"beta"});
        f = {};
        f.tag = "sweep";
        QCOMPARE(names(m_store->listRuns(f)), (std::vector<std::string> {"beta", "alpha lora"}));
        f.method = "lora";
        QCOMPARE(names(m_store->listRuns(f)), std::vector<std::string> {"alpha lora"});
        // Text matches name, method, notes or tag, case-insensitively.
        f = {};
        f.text = "ALPHA";
        QCOMPARE(names(m_store->listRuns(f)), std::vector<std::string> {"alpha lora"});
        f.text = "rank";
        QCOMPARE(names(m_store->listRuns(f)), std::vector<std::string> {"alpha lora"});
        f.text = "pap";
        QCOMPARE(names(m_store->listRuns(f)), std::vector<std::string> {"beta"});
        f.text = "slim";
        QCOMPARE(names(m_store->listRuns(f)), (std::vector<std::string> {"gamma", "beta"}));
        // LIKE wildcards in the text are literal.
        f.text = "d_i";
        QCOMPARE(names(m_store->listRuns(f)), std::vector<std::string> {"gamma"});
        f.text = "0%";
        QCOMPARE(names(m_store->listRuns(f)), std::vector<std::string> {"gamma"});
        f.text = "_";
        QCOMPARE(names(m_store->listRuns(f)), std::vector<std::string> {"gamma"});
        // Order by score, unscored last; paging.
        f = {};
        f.order = RunOrder::DownstreamAvgDescending;
        QCOMPARE(names(m_store->listRuns(f)),
                 (std::vector<std::string> {"gamma", "alpha lora", "beta"}));
        f.limit = 1;
        f.offset = 1;
        QCOMPARE(names(m_store->listRuns(f)), std::vector<std::string> {"alpha lora"});
        const auto listed = m_store->listRuns();
        QCOMPARE(listed[1].tags, (std::vector<std::string> {"paper", "sweep"}));
    }

    void tagsAndNotes()
    {
        const auto id = m_store->createRun(makeRun("r", "lora"));
        m_store->addTag(id, "keep");
        m_store->addTag(id, "keep"); // idempotent
        m_store->addTag(id, "draft");
        QCOMPARE(m_store->tags(id), (std::vector<std::string> {"draft", "keep"}));
        m_store->removeTag(id, "draft");
        m_store->removeTag(id, "never there");
        QCOMPARE(m_store->tags(id), std::vector<std::string> {"keep"});
        QCOMPARE(m_store->allTags(), std::vector<std::string> {"keep"});
        QVERIFY_THROWS_EXCEPTION(StoreError, m_store->addTag(id + 1, "orphan"));
        m_store->setNotes(id, "diverged after warm-up; retry with lr 1e-4");
        QCOMPARE(m_store->getRun(id)->notes,
                 std::string("diverged after warm-up; retry with lr 1e-4"));
    }

    void deleteRunCascades()
    {
        const auto keep = m_store->createRun(makeRun("keep", "slim"));
        const auto drop = m_store->createRun(makeRun("drop", "slim", {"t"}));
        RunRecord child = makeRun("resumed", "slim");
        child.parentRunId = drop;
        const auto resumed = m_store->createRun(child);
        for (auto id : {keep, drop}) {
            m_store->appendMetrics(id, {{1, "loss/lm", 1.0}, {2, "loss/lm", 0.9}});
            m_store->appendEvalResults(id, {EvalRow {}});
            m_store->appendRoutingLayerStats(id, {RoutingLayerRow {}});
            m_store->appendRoutingExpertStats(id, {RoutingExpertRow {}});
            m_store->appendClusterLayerStats(id, {ClusterLayerRow {}});
            m_store->appendClusterCentres(id, {ClusterCentreRow {}});
            m_store->addCheckpoint(id, {10, "ckpt", "", 0, {}});
            m_store->addArtifact(id, {"adapter", "a", "", 0, {}});
        }
        QVERIFY(m_store->deleteRun(drop));
        QVERIFY(!m_store->deleteRun(drop));
        Database &db = m_store->database();
        for (const char *table :
             {"run_tags", "metrics", "eval_results", "routing_layer_stats", "routing_expert_stats",
              "cluster_layer_stats", "cluster_centres", "checkpoints", "artifacts"}) {
            const std::string sql = std::string("SELECT count(*) FROM ") + table
                + " WHERE run_id = " + std::to_string(drop);
            QVERIFY2(db.queryInt64(sql) == 0, table);
        }
        QCOMPARE(m_store->metricCount(keep), 2);
        QCOMPARE(m_store->checkpoints(keep).size(), std::size_t(1));
        QCOMPARE(m_store->getRun(resumed)->parentRunId, std::optional<std::int64_t>());
    }

    void analysisRowsRoundTrip()
    {
        const auto id = m_store->createRun(makeRun("r", "slim"));
        std::vector<RoutingLayerRow> layers;
        std::vector<RoutingExpertRow> experts;
        for (int step : {100, 200}) {
            for (int layer = 0; layer < 4; ++layer) {
                layers.push_back(
                    {step, "train", layer, "mlp", 4096, 0.1 * layer, 0.01 * step, 1.2, 0.3});
                for (int e = 0; e < 6; ++e)
                    experts.push_back({step, "general", layer, "mlp", e, e >= 4, 1.0 / 6, 0.2});
            }
        }
        m_store->appendRoutingLayerStats(id, layers);
        m_store->appendRoutingExpertStats(id, experts);
        const auto readLayers = m_store->routingLayerStats(id, StepRange {150, 250});
        QCOMPARE(readLayers.size(), std::size_t(4));
        QCOMPARE(readLayers[3].identityMass, 0.1 * 3);
        QCOMPARE(readLayers[3].fullIdentityRate, 2.0);
        QCOMPARE(m_store->routingExpertStats(id, {}, "general").size(), experts.size());
        QVERIFY(m_store->routingExpertStats(id, {}, "train").empty());
        QVERIFY(m_store->routingExpertStats(id)[5].isIdentity);

        ClusterLayerRow cluster {300, "downstream", 2, 777, 0.4, 3.5, 0.2, 1.1, {}, 20.0};
        cluster.dplusHistogram = {5, 0, std::int64_t(1) << 40, 3};
        m_store->appendClusterLayerStats(id, {cluster});
        const auto readCluster = m_store->clusterLayerStats(id);
        QCOMPARE(readCluster.size(), std::size_t(1));
        QCOMPARE(readCluster[0].dplusHistogram, cluster.dplusHistogram);
        QCOMPARE(readCluster[0].histogramMax, std::optional<double>(20.0));
        QCOMPARE(readCluster[0].scored, 777);

        std::vector<float> centre(4096);
        for (std::size_t i = 0; i < centre.size(); ++i)
            centre[i] = float(i) * 0.5f - 7.0f;
        m_store->appendClusterCentres(
            id, {{300, 2, 0, 12, 0.01, 0.9, centre}, {300, 3, 0, 12, 0.01, 0.9, {1.0f}}});
        const auto centres = m_store->clusterCentres(id, {}, 2);
        QCOMPARE(centres.size(), std::size_t(1));
        QCOMPARE(centres[0].centre, centre);
        QCOMPARE(m_store->clusterCentres(id).size(), std::size_t(2));
    }

    void evalResultsAndFiles()
    {
        const auto id = m_store->createRun(makeRun("r", "slim"));
        EvalRow row;
        row.task = "arc_easy";
        row.metric = "acc";
        row.value = 0.6;
        row.stderr_ = 0.02;
        row.n = 500;
        row.mode = ScoringMode::LabelLogits;
        row.templateHash = "t";
        row.shots = 5;
        row.kind = TaskKind::General;
        row.floor = 0.55;
        EvalRow final = row;
        final.isFinal = true;
        final.step = 1000;
        EvalRow other = row;
        other.task = "boolq";
        other.kind = TaskKind::Downstream;
        m_store->appendEvalResults(id, {row, final, other});
        row.value = 0.65; // same key: replaces
        m_store->appendEvalResults(id, {row});
        QCOMPARE(m_store->evalResults(id).size(), std::size_t(3));

        EvalFilter filter;
        filter.task = "arc_easy";
        const auto arc = m_store->evalResults(id, filter);
        QCOMPARE(arc.size(), std::size_t(2));
        QCOMPARE(arc[0].value, 0.65);
        QCOMPARE(arc[0].mode, ScoringMode::LabelLogits);
        QCOMPARE(arc[0].floor, std::optional<double>(0.55));
        filter = {};
        filter.finalOnly = true;
        QCOMPARE(m_store->evalResults(id, filter).size(), std::size_t(1));
        filter = {};
        filter.kind = TaskKind::Downstream;
        QCOMPARE(m_store->evalResults(id, filter).at(0).task, std::string("boolq"));

        QVERIFY(!m_store->latestCheckpoint(id));
        m_store->addCheckpoint(id, {200, "ckpt/200", "aa", 10, {}});
        m_store->addCheckpoint(id, {100, "ckpt/100", "bb", 10, {}});
        m_store->addCheckpoint(id, {200, "ckpt/200b", "cc", 11, {}}); // same step: replaced
        QCOMPARE(m_store->latestCheckpoint(id)->path, std::string("ckpt/200b"));
        QCOMPARE(m_store->checkpoints(id).size(), std::size_t(2));
        m_store->addArtifact(id, {"adapter", "out/adapter", "dd", 1234, {}});
        QCOMPARE(m_store->artifacts(id).at(0).bytes, 1234);
    }

    void sameMetricInTwoModesIsTwoScores()
    {
        const auto id = m_store->createRun(makeRun("r", "slim"));
        EvalRow labels;
        labels.task = "capitals";
        labels.metric = "acc";
        labels.mode = ScoringMode::LabelLogits;
        labels.value = 0.4;
        EvalRow likelihood = labels;
        likelihood.mode = ScoringMode::LogLikelihood;
        likelihood.value = 0.9;
        m_store->appendEvalResults(id, {labels, likelihood});
        const auto rows = m_store->evalResults(id);
        QCOMPARE(rows.size(), std::size_t(2));
        QCOMPARE(rows[0].value + rows[1].value, 1.3);
    }

    void baseScoreCacheUpserts()
    {
        BaseScoreKey key {
            "sha-model", "hellaswag", "validation", "acc_norm", ScoringMode::LogLikelihood,
            "tmpl",      0,           "1.0"};
        QVERIFY(!m_store->baseScore(key));
        m_store->putBaseScore({key, 0.41, 0.01, 1000, {}});
        m_store->putBaseScore({key, 0.43, std::nullopt, 2000, {}});
        const auto hit = m_store->baseScore(key);
        QVERIFY(hit);
        QCOMPARE(hit->value, 0.43);
        QCOMPARE(hit->stderr_, std::optional<double>());
        QCOMPARE(hit->n, 2000);
        QCOMPARE(m_store->database().queryInt64("SELECT count(*) FROM base_scores"), 1);
        // Any part of the key differing is a different score.
        BaseScoreKey otherShots = key;
        otherShots.shots = 5;
        QVERIFY(!m_store->baseScore(otherShots));
        BaseScoreKey otherMode = key;
        otherMode.mode = ScoringMode::LabelLogits;
        QVERIFY(!m_store->baseScore(otherMode));

        // All scores of the task: both metrics of this model, nothing of another model/version.
        BaseScoreKey acc = key;
        acc.metric = "acc";
        m_store->putBaseScore({acc, 0.40, 0.01, 2000, {}});
        BaseScoreKey otherModel = key;
        otherModel.modelHash = "sha-other";
        m_store->putBaseScore({otherModel, 0.9, 0.01, 2000, {}});
        BaseScoreKey otherVersion = key;
        otherVersion.taskVersion = "2.0";
        m_store->putBaseScore({otherVersion, 0.9, 0.01, 2000, {}});
        const auto all = m_store->baseScores("sha-model", "hellaswag", "validation", "1.0");
        QCOMPARE(all.size(), std::size_t(2));
        QCOMPARE(all[0].key.metric, std::string("acc"));
        QCOMPARE(all[0].value, 0.40);
        QCOMPARE(all[1].key.metric, std::string("acc_norm"));
        QCOMPARE(all[1].key.templateHash, std::string("tmpl"));
        QCOMPARE(all[1].value, 0.43);
    }

    void markInterruptedRuns()
    {
        const std::int64_t alivePid = qint64(getppid()); // the test runner: alive, not us
        auto makeLive = [&](const char *name, RunStatus status, std::int64_t pid) {
            RunRecord run = makeRun(name, "slim");
            run.status = status;
            run.pid = pid;
            return m_store->createRun(run);
        };
        const auto fresh = makeLive("fresh", RunStatus::Running, alivePid);
        const auto stale = makeLive("stale", RunStatus::Running, alivePid);
        const auto dead = makeLive("dead", RunStatus::Running, deadPid());
        const auto queuedAlive = makeLive("queued alive", RunStatus::Queued, alivePid);
        const auto queuedDead = makeLive("queued dead", RunStatus::Queued, deadPid());
        const auto mine = makeLive("mine", RunStatus::Running, currentProcessId());
        const auto done = makeLive("done", RunStatus::Succeeded, deadPid());
        // Stale heartbeats on everything but `fresh`.
        m_store->database().exec("UPDATE runs SET heartbeat_at = '2000-01-01T00:00:00.000Z'"
                                 " WHERE name <> 'fresh'");

        auto marked = m_store->markInterruptedRuns(std::chrono::seconds(60));
        std::sort(marked.begin(), marked.end());
        QCOMPARE(marked, (std::vector<std::int64_t> {stale, dead, queuedDead}));
        QCOMPARE(m_store->getRun(stale)->status, RunStatus::Interrupted);
        QVERIFY(!m_store->getRun(dead)->finishedAt.empty());
        QVERIFY(!m_store->getRun(dead)->errorMessage.empty());
        QCOMPARE(m_store->getRun(fresh)->status, RunStatus::Running);
        QCOMPARE(m_store->getRun(queuedAlive)->status, RunStatus::Queued);
        QCOMPARE(m_store->getRun(mine)->status, RunStatus::Running);
        QCOMPARE(m_store->getRun(done)->status, RunStatus::Succeeded);
        QVERIFY(m_store->markInterruptedRuns(std::chrono::seconds(60)).empty());
    }

private:
    QTemporaryDir m_dir;
    std::optional<RunStore> m_store;
};

QTEST_APPLESS_MAIN(TestRunStore)
#include "tst_run_store.moc"
