// Row column traits (core/store/row_columns.h): each row type lists every column of its table,
// and every column a row writes is read back unchanged through RunStore, the store setting only
// the columns it owns.
#include "store/row_columns.h"
#include "store/run_store.h"
#include "store_test_support.h"

#include <QStringList>
#include <QTemporaryDir>
#include <QTest>

#include <string>
#include <string_view>
#include <utility>

using namespace slim::store;
using namespace std::string_literals;

namespace {

QStringList tableColumns(Database &db, const char *table)
{
    Statement query(db, std::string("SELECT name FROM pragma_table_info('") + table + "')");
    QStringList out;
    while (query.step())
        out << QString::fromStdString(query.columnText(0));
    out.sort();
    return out;
}

// The row's columns that are table columns (not expressions such as the tags subquery), plus
// `others`, sorted.
template<typename Row>
QStringList listedColumns(QStringList others = {})
{
    detail::forEachColumn<Row>([&](const auto &column) {
        if (std::string_view(column.sql).find('(') == std::string_view::npos)
            others << QString::fromLatin1(column.sql);
    });
    others.sort();
    return others;
}

template<typename Row>
QStringList writtenColumns()
{
    QStringList out;
    detail::forEachColumn<Row>([&](const auto &column) {
        if (column.written)
            out << QString::fromLatin1(column.sql);
    });
    return out;
}

// The columns whose values differ between a and b.
template<typename Row>
QStringList differingColumns(const Row &a, const Row &b)
{
    QStringList out;
    detail::forEachColumn<Row>([&](const auto &column) {
        if (!(column.of(a) == column.of(b)))
            out << QString::fromLatin1(column.sql);
    });
    return out;
}

// `sample` sets exactly the written columns (so a column the INSERT dropped would read back as
// the default), and `stored`, the sample as read back, differs from it only in `setByStore`.
template<typename Row>
void checkRoundTrip(const Row &stored, const Row &sample, const QStringList &setByStore = {})
{
    QCOMPARE(differingColumns(sample, Row {}), writtenColumns<Row>());
    QCOMPARE(differingColumns(stored, sample), setByStore);
}

// `stored` is the sample alone, as read back.
template<typename Row>
void checkOnlyRow(const std::vector<Row> &stored, const Row &sample,
                  const QStringList &setByStore = {})
{
    QCOMPARE(stored.size(), std::size_t(1));
    checkRoundTrip(stored[0], sample, setByStore);
}

CheckpointRow checkpointAt(std::int64_t step, std::string path, std::string sha256,
                           std::int64_t bytes)
{
    CheckpointRow row;
    row.step = step;
    row.path = std::move(path);
    row.sha256 = std::move(sha256);
    row.bytes = bytes;
    return row;
}

ScoringMode labelLogits()
{
    return *scoringModeFromName("label_logits");
}

} // namespace

class TestRowColumns : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        QVERIFY(m_dir.isValid());
        m_store.emplace(test::dbPath(m_dir, QTest::currentTestFunction()));
        m_run = m_store->createRun({});
    }
    void cleanup() { m_store.reset(); }

    void everyTableColumnIsListed()
    {
        // What a row leaves out is its run (run_id) and rowid keys (id), nothing else: a column
        // added by a migration must be added to its row type too.
        Database &db = m_store->database();
        const QStringList run {"run_id"}, runAndId {"id", "run_id"};
        QCOMPARE(listedColumns<RunRecord>(), tableColumns(db, "runs"));
        QCOMPARE(listedColumns<detail::ResolvedMetric>(run), tableColumns(db, "metrics"));
        QCOMPARE(listedColumns<detail::RollupRow>(run), tableColumns(db, "metric_rollups"));
        QCOMPARE(listedColumns<EvalRow>(runAndId), tableColumns(db, "eval_results"));
        QCOMPARE(listedColumns<BaseScoreRow>(), tableColumns(db, "base_scores"));
        QCOMPARE(listedColumns<RoutingLayerRow>(run), tableColumns(db, "routing_layer_stats"));
        QCOMPARE(listedColumns<RoutingExpertRow>(run), tableColumns(db, "routing_expert_stats"));
        QCOMPARE(listedColumns<ClusterLayerRow>(runAndId), tableColumns(db, "cluster_layer_stats"));
        QCOMPARE(listedColumns<ClusterCentreRow>(runAndId), tableColumns(db, "cluster_centres"));
        QCOMPARE(listedColumns<CheckpointRow>(runAndId), tableColumns(db, "checkpoints"));
        QCOMPARE(listedColumns<ArtifactRow>(runAndId), tableColumns(db, "artifacts"));
        QCOMPARE(listedColumns<SweepRecord>(), tableColumns(db, "sweeps"));
        // The listing reads a subset of runs.
        for (const QString &name : listedColumns<RunSummary>())
            QVERIFY2(tableColumns(db, "runs").contains(name), qPrintable(name));
    }

    void runRoundTrips()
    {
        RunRecord sample;
        sample.uuid = "12345678-1234-4234-8234-123456789abc"s;
        sample.name = "r";
        sample.method = "slim";
        sample.status = RunStatus::Failed;
        sample.specJson = R"({"method":"slim"})";
        sample.seed = 7;
        sample.gitCommit = "abc123";
        sample.versionsJson = R"({"qt":"6.4"})";
        sample.device = "cpu";
        sample.datasetHashesJson = R"({"arc":"f00"})";
        sample.pid = 4242;
        sample.host = "elsewhere";
        sample.currentStep = 3;
        sample.totalSteps = 10;
        sample.progress = 0.25;
        sample.parentRunId = m_run;
        sample.notes = "notes";
        sample.downstreamAvg = 0.5;
        sample.generalAvg = 0.4;
        sample.forgettingAvg = 0.1;
        SweepRecord sweep;
        sweep.uuid = "sweep-1";
        sample.sweepId = m_store->createSweep(sweep);
        sample.sweepIndex = 4;
        const auto stored = m_store->getRun(m_store->createRun(sample));
        QVERIFY(stored);
        checkRoundTrip(*stored, sample, {"id", "created_at", "heartbeat_at"});
    }

    void sweepsRoundTrip()
    {
        SweepRecord sample;
        sample.uuid = "0a1b2c3d-0000-0000-0000-000000000000";
        sample.name = "grid";
        sample.specJson = R"({"name":"grid"})";
        sample.runCount = 8;
        sample.slurmJson = R"([{"job_id":"12"}])";
        const auto id = m_store->createSweep(sample);
        const auto stored = m_store->getSweep(id);
        QVERIFY(stored);
        checkRoundTrip(*stored, sample, {"id", "created_at"});
        QCOMPARE(m_store->findSweeps("grid").size(), std::size_t(1));
        QCOMPARE(m_store->findSweeps("0a1b").size(), std::size_t(1));
        QCOMPARE(m_store->findSweeps(std::to_string(id)).size(), std::size_t(1));
        QCOMPARE(m_store->findSweeps("0a1").size(), std::size_t(0)); // too short a prefix
        m_store->setSlurmJson(id, "[]");
        QCOMPARE(m_store->getSweep(id)->slurmJson, std::string("[]"));
        QVERIFY_THROWS_EXCEPTION(StoreError, m_store->setSlurmJson(id + 100, "[]"));
    }

    void evalRowsRoundTrip()
    {
        const EvalRow sample {.step = 5,
                              .task = "arc",
                              .split = "validation",
                              .metric = "acc",
                              .value = 0.5,
                              .stderr_ = 0.01,
                              .n = 100,
                              .mode = labelLogits(),
                              .templateHash = "t",
                              .shots = 5,
                              .taskVersion = "v1",
                              .isFinal = true,
                              .floor = 0.25,
                              .kind = TaskKind::General};
        m_store->appendEvalResults(m_run, {sample});
        checkOnlyRow(m_store->evalResults(m_run), sample);

        BaseScoreRow base;
        base.key = {.modelHash = "model",
                    .task = "arc",
                    .split = "validation",
                    .metric = "acc",
                    .mode = labelLogits(),
                    .templateHash = "t",
                    .shots = 5,
                    .taskVersion = "v1"};
        base.value = 0.6;
        base.stderr_ = 0.02;
        base.n = 50;
        m_store->putBaseScore(base);
        const auto cached = m_store->baseScore(base.key);
        QVERIFY(cached);
        checkRoundTrip(*cached, base, {"created_at"});
    }

    void routingRowsRoundTrip()
    {
        const RoutingLayerRow layer {.step = 1,
                                     .probe = "general",
                                     .layer = 2,
                                     .site = "q_proj",
                                     .tokens = 9,
                                     .identityMass = 0.1,
                                     .fullIdentityRate = 0.2,
                                     .routerEntropy = 0.3,
                                     .loadCv2 = 0.4};
        m_store->appendRoutingLayerStats(m_run, {layer});
        checkOnlyRow(m_store->routingLayerStats(m_run), layer);

        const RoutingExpertRow expert {.step = 1,
                                       .probe = "general",
                                       .layer = 2,
                                       .site = "mlp",
                                       .expert = 3,
                                       .isIdentity = true,
                                       .meanWeight = 0.5,
                                       .selectionShare = 0.6};
        m_store->appendRoutingExpertStats(m_run, {expert});
        checkOnlyRow(m_store->routingExpertStats(m_run), expert);

        const ClusterLayerRow cluster {.step = 1,
                                       .probe = "general",
                                       .layer = 2,
                                       .scored = 4,
                                       .dplusMean = 0.1,
                                       .dplusMax = 0.2,
                                       .dplusPositiveShare = 0.3,
                                       .reference = 2.0,
                                       .dplusHistogram = {1, 2, 3},
                                       .histogramMax = 4.0};
        m_store->appendClusterLayerStats(m_run, {cluster});
        checkOnlyRow(m_store->clusterLayerStats(m_run), cluster);

        const ClusterCentreRow centre {.step = 1,
                                       .layer = 2,
                                       .cluster = 3,
                                       .size = 4,
                                       .drift = 0.5,
                                       .meanSigma = 0.6,
                                       .centre = {1.5f, -2.0f}};
        m_store->appendClusterCentres(m_run, {centre});
        checkOnlyRow(m_store->clusterCentres(m_run), centre);
    }

    void fileRowsRoundTrip()
    {
        const CheckpointRow checkpoint = checkpointAt(7, "/runs/1/step-7", "c0ffee", 9);
        m_store->addCheckpoint(m_run, checkpoint);
        checkOnlyRow(m_store->checkpoints(m_run), checkpoint, {"created_at"});

        ArtifactRow artifact;
        artifact.kind = "adapter";
        artifact.path = "/runs/1/adapter";
        artifact.sha256 = "beef";
        artifact.bytes = 11;
        m_store->addArtifact(m_run, artifact);
        checkOnlyRow(m_store->artifacts(m_run), artifact, {"created_at"});
    }

    void checkpointAgainAtAStepKeepsItsPin()
    {
        m_store->addCheckpoint(m_run, checkpointAt(7, "/old", "a", 1));
        m_store->setCheckpointPinned(m_run, 7, true);
        m_store->addCheckpoint(m_run, checkpointAt(7, "/new", "b", 2));
        const auto checkpoints = m_store->checkpoints(m_run);
        QCOMPARE(checkpoints.size(), std::size_t(1));
        QCOMPARE(checkpoints[0].path, std::string("/new"));
        QCOMPARE(checkpoints[0].sha256, std::string("b"));
        QCOMPARE(checkpoints[0].bytes, std::int64_t(2));
        QVERIFY(checkpoints[0].pinned);
    }

private:
    QTemporaryDir m_dir;
    std::optional<RunStore> m_store;
    std::int64_t m_run = 0;
};

QTEST_APPLESS_MAIN(TestRowColumns)
#include "tst_row_columns.moc"
