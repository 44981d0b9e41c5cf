// importRuns (store/run_import.h) on real SQLite files: every row of a run arrives, importing
// twice changes nothing, a newer copy replaces a failed one, and bad sources change nothing.
#include "store/migrations.h"
#include "store/run_import.h"
#include "store/run_store.h"
#include "store_test_support.h"

#include "common/sha256.h"

#include <fstream>

using namespace slim::store;
using namespace slim::store::test;

namespace {

// Every row recorded for a run, ids left out and metric names spelled out: equal for the same
// run in two databases.
std::string runFingerprint(RunStore &store, std::int64_t runId)
{
    Database &db = store.database();
    std::string out;
    Statement tables(db, "SELECT m.name FROM sqlite_schema m WHERE m.type = 'table' AND EXISTS"
                         " (SELECT 1 FROM pragma_table_info(m.name) p WHERE p.name = 'run_id')"
                         " ORDER BY 1");
    while (tables.step()) {
        const auto table = tables.columnText(0);
        std::string columns;
        Statement info(db, "SELECT name, pk FROM pragma_table_info(?1)");
        info.bind(1, table);
        while (info.step()) {
            const auto name = info.columnText(0);
            if (name == "run_id" || (name == "id" && info.columnInt(1) == 1))
                continue;
            const auto value = name == "name_id"
                                   ? "(SELECT n.name FROM metric_names n WHERE n.id = name_id)"
                                   : name;
            columns += (columns.empty() ? "" : " || ',' || ") + std::string("quote(") + value + ")";
        }
        Statement rows(db, "SELECT " + columns + " AS r FROM " + table
                               + " WHERE run_id = ?1 ORDER BY r");
        rows.bind(1, runId);
        out += table + ":";
        while (rows.step())
            out += rows.columnText(0) + ";";
        out += "\n";
    }
    // The run's own row: what is not an id or a process.
    Statement run(db, "SELECT uuid, name, method, status, spec_json, seed, current_step,"
                      " total_steps, progress, COALESCE(error_message, ''), notes,"
                      " COALESCE(downstream_avg, -1), COALESCE(finished_at, ''),"
                      " COALESCE(sweep_index, -1) FROM runs WHERE id = ?1");
    run.bind(1, runId);
    if (run.step())
        for (int c = 0; c < 14; ++c)
            out += run.columnText(c) + "|";
    return out;
}

// A finished run with rows in every table family.
std::int64_t recordRun(RunStore &store, const std::string &uuid, RunStatus status,
                       std::optional<std::int64_t> sweepId = {}, double lossOffset = 0)
{
    RunRecord record;
    record.uuid = uuid;
    record.name = "run " + uuid;
    record.method = "slim";
    record.specJson = R"({"seed": 3})";
    record.tags = {"study"};
    record.sweepId = sweepId;
    record.sweepIndex = sweepId ? std::optional<std::int64_t>(2) : std::nullopt;
    const auto id = store.createRun(record);
    store.startRun(id);
    std::vector<MetricRow> metrics;
    for (int step = 0; step < 130; ++step) {
        metrics.push_back({step, "loss/lm", 3.0 - step * 0.01 + lossOffset});
        metrics.push_back({step, "lr", 1e-3});
    }
    store.appendMetrics(id, metrics);
    EvalRow eval;
    eval.step = 100;
    eval.task = "capitals";
    eval.metric = "acc";
    eval.value = 0.5 + lossOffset;
    eval.n = 64;
    eval.kind = TaskKind::General;
    store.appendEvalResults(id, {eval});
    RoutingLayerRow layer;
    layer.step = 100;
    layer.site = "mlp";
    layer.tokens = 512;
    layer.identityMass = 0.25;
    store.appendRoutingLayerStats(id, {layer});
    RoutingExpertRow expert;
    expert.step = 100;
    expert.site = "mlp";
    expert.expert = 1;
    expert.isIdentity = true;
    expert.meanWeight = 0.3;
    store.appendRoutingExpertStats(id, {expert});
    ClusterLayerRow clusterLayer;
    clusterLayer.step = 100;
    clusterLayer.dplusHistogram = {1, 2, 3};
    clusterLayer.histogramMax = 2.0;
    store.appendClusterLayerStats(id, {clusterLayer});
    ClusterCentreRow centre;
    centre.step = 100;
    centre.cluster = 1;
    centre.centre = {0.5f, -1.0f};
    store.appendClusterCentres(id, {centre});
    store.addCheckpoint(id, {100, "/runs/" + uuid + "/checkpoint-100", "abc", 42, {}, false});
    store.addArtifact(id, {"adapter", "/runs/" + uuid + "/adapter", "def", 7, {}});
    store.updateProgress(id, 130, 130, 1.0);
    store.setSummary(id, 0.6 + lossOffset, 0.4, 0.02);
    store.setStatus(id, status, status == RunStatus::Failed ? "boom" : "");
    return id;
}

std::string fileHash(const std::string &path)
{
    return slim::common::sha256HexOfFile(path);
}

} // namespace

class TestRunImport : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void importsEveryRowOfEveryRun()
    {
        QTemporaryDir dir;
        const auto sourcePath = dbPath(dir, "task.sqlite");
        RunStore source(sourcePath);
        SweepRecord sweep {0, "sweep-uuid-1", "rank-lr", R"({"name": "rank-lr"})", 4, {}, "[]"};
        const auto sweepId = source.createSweep(sweep);
        const auto a = recordRun(source, "aaaa", RunStatus::Succeeded, sweepId);
        const auto b = recordRun(source, "bbbb", RunStatus::Failed);
        BaseScoreRow base;
        base.key = {"model-1", "capitals", "test", "acc", ScoringMode::LogLikelihood, "t", 0, "1"};
        base.value = 0.25;
        source.putBaseScore(base);

        RunStore target(dbPath(dir, "main.sqlite"));
        // Other metric names first, so the name ids differ from the source's.
        const auto local = target.createRun(RunRecord {});
        target.appendMetrics(local, {{0, "tokens_per_sec", 1.0}, {0, "grad_norm", 2.0}});

        std::vector<std::size_t> seen;
        const auto report = importRuns(target, sourcePath,
                                       [&](std::size_t done, std::size_t) { seen.push_back(done); });
        QCOMPARE(report.runs.size(), std::size_t(2));
        QCOMPARE(report.count(ImportAction::Added), std::size_t(2));
        QCOMPARE(seen, (std::vector<std::size_t> {1, 2}));
        const auto newA = *target.findRunByUuid("aaaa");
        const auto newB = *target.findRunByUuid("bbbb");
        QCOMPARE(runFingerprint(target, newA), runFingerprint(source, a));
        QCOMPARE(runFingerprint(target, newB), runFingerprint(source, b));
        QVERIFY(runFingerprint(target, newA).find("loss/lm") != std::string::npos);
        // The series reads the same through the store.
        QCOMPARE(target.series(newA, "loss/lm", 1000).size(), source.series(a, "loss/lm", 1000).size());
        // The sweep came along, under the target's id.
        const auto run = target.getRun(newA);
        QVERIFY(run->sweepId);
        QCOMPARE(target.getSweep(*run->sweepId)->uuid, std::string("sweep-uuid-1"));
        QCOMPARE(run->sweepIndex, std::optional<std::int64_t>(2));
        QCOMPARE(run->tags, std::vector<std::string> {"study"});
        QVERIFY(target.baseScore(base.key));
        QCOMPARE(integrityCheck(target.database()), std::string("ok"));
        QCOMPARE(target.database().queryInt64("SELECT count(*) FROM pragma_foreign_key_check"),
                 std::int64_t(0));
    }

    void importingTwiceChangesNothing()
    {
        QTemporaryDir dir;
        const auto sourcePath = dbPath(dir, "task.sqlite");
        {
            RunStore source(sourcePath);
            recordRun(source, "aaaa", RunStatus::Succeeded);
            recordRun(source, "bbbb", RunStatus::Interrupted);
        }
        RunStore target(dbPath(dir, "main.sqlite"));
        importRuns(target, sourcePath);
        const auto before = wholeDatabase(target.database());
        const auto sourceBefore = fileHash(sourcePath);
        const auto again = importRuns(target, sourcePath);
        QCOMPARE(again.count(ImportAction::Unchanged), std::size_t(2));
        QCOMPARE(wholeDatabase(target.database()), before);
        QCOMPARE(fileHash(sourcePath), sourceBefore); // the source is only read
        // No snapshot is left beside the target.
        QCOMPARE(QDir(dir.path()).entryList({"*.import-*"}, QDir::Files).size(), 0);
    }

    void aNewerCopyReplacesAFailedRunKeepingWhatWasAddedHere()
    {
        QTemporaryDir dir;
        const auto sourcePath = dbPath(dir, "task.sqlite");
        RunStore target(dbPath(dir, "main.sqlite"));
        {
            RunStore first(dbPath(dir, "first.sqlite"));
            recordRun(first, "aaaa", RunStatus::Failed);
            recordRun(first, "cccc", RunStatus::Succeeded);
        }
        importRuns(target, dbPath(dir, "first.sqlite"));
        const auto id = *target.findRunByUuid("aaaa");
        target.addTag(id, "look-again");
        target.setNotes(id, "failed on node 3");
        RunRecord child;
        child.parentRunId = id;
        const auto childId = target.createRun(child);
        // The resubmitted task succeeded; the succeeded one differs there too.
        RunStore source(sourcePath);
        const auto newer = recordRun(source, "aaaa", RunStatus::Succeeded, {}, 0.5);
        recordRun(source, "cccc", RunStatus::Succeeded, {}, 0.25);
        const auto report = importRuns(target, sourcePath);
        QCOMPARE(report.runs[0].action, ImportAction::Replaced);
        QCOMPARE(report.runs[0].targetId, id);
        QCOMPARE(report.runs[1].action, ImportAction::Kept);
        QVERIFY(report.runs[1].reason.find("succeeded here") != std::string::npos);
        const auto run = target.getRun(id);
        QCOMPARE(run->status, RunStatus::Succeeded);
        QCOMPARE(run->downstreamAvg, std::optional<double>(1.1));
        QCOMPARE(run->tags, (std::vector<std::string> {"look-again", "study"}));
        QCOMPARE(run->notes, std::string("failed on node 3"));
        QCOMPARE(target.getRun(childId)->parentRunId, std::optional<std::int64_t>(id));
        // Its rows are the newer ones only.
        source.setNotes(newer, "failed on node 3");
        source.addTag(newer, "look-again");
        QCOMPARE(runFingerprint(target, id), runFingerprint(source, newer));
    }

    void runningRunsWaitUnlessTheirProcessIsGone()
    {
        QTemporaryDir dir;
        const auto sourcePath = dbPath(dir, "task.sqlite");
        RunStore source(sourcePath);
        RunRecord live;
        live.uuid = "live";
        source.startRun(source.createRun(live));
        RunRecord gone;
        gone.uuid = "gone";
        const auto goneId = source.createRun(gone);
        source.startRun(goneId);
        source.database().exec("UPDATE runs SET heartbeat_at = '2020-01-01T00:00:00.000Z'"
                               " WHERE uuid = 'gone'");
        RunStore target(dbPath(dir, "main.sqlite"));
        const auto report = importRuns(target, sourcePath);
        QCOMPARE(report.runs[0].action, ImportAction::Skipped);
        QVERIFY(report.runs[0].reason.find("still running") != std::string::npos);
        QCOMPARE(report.runs[1].action, ImportAction::Added);
        QVERIFY(!target.findRunByUuid("live"));
        const auto imported = target.getRun(*target.findRunByUuid("gone"));
        QCOMPARE(imported->status, RunStatus::Interrupted);
        QVERIFY(!imported->errorMessage.empty());
        QVERIFY(!imported->finishedAt.empty());
    }

    void anOlderVersionsDatabaseIsUpgradedInTheSnapshotOnly()
    {
        QTemporaryDir dir;
        const auto sourcePath = dbPath(dir, "old.sqlite");
        {
            Database db(sourcePath);
            migrateTo(db, 5);
            db.exec("INSERT INTO runs (uuid, name, method, status, finished_at)"
                    " VALUES ('old-1', 'old run', 'lora', 'succeeded', '2025-01-01T00:00:00.000Z');"
                    "INSERT INTO metric_names (name) VALUES ('loss/lm');"
                    "INSERT INTO metrics VALUES (1, 1, 0, 2.5), (1, 1, 1, 2.25);");
        }
        const auto hash = fileHash(sourcePath);
        RunStore target(dbPath(dir, "main.sqlite"));
        const auto report = importRuns(target, sourcePath);
        QCOMPARE(report.count(ImportAction::Added), std::size_t(1));
        QCOMPARE(target.series(*target.findRunByUuid("old-1"), "loss/lm", 100).size(), std::size_t(2));
        QCOMPARE(fileHash(sourcePath), hash);
        Database again(sourcePath, Database::Options {5000, true, false});
        QCOMPARE(again.userVersion(), 5);
    }

    void badSourcesAreRefusedChangingNothing_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("expected");
        QTest::newRow("text file") << "text" << "is not a SLIM Workbench database";
        QTest::newRow("other sqlite") << "other" << "is not a SLIM Workbench database";
        QTest::newRow("newer") << "newer" << "newer than this program supports";
        QTest::newRow("foreign runs") << "foreign" << "cannot be read as a SLIM Workbench database";
        QTest::newRow("missing") << "missing" << "no such file";
        QTest::newRow("itself") << "itself" << "is the database being imported into";
    }

    void badSourcesAreRefusedChangingNothing()
    {
        QFETCH(QString, kind);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        const auto targetPath = dbPath(dir, "main.sqlite");
        RunStore target(targetPath);
        recordRun(target, "mine", RunStatus::Succeeded);
        const auto before = wholeDatabase(target.database());
        auto sourcePath = dbPath(dir, "source.sqlite");
        if (kind == "text") {
            std::ofstream(sourcePath) << "step,loss\n1,2.5\n";
        } else if (kind == "other") {
            Database other(sourcePath);
            other.exec("CREATE TABLE notes (text TEXT)");
        } else if (kind == "foreign") {
            Database other(sourcePath);
            other.exec("CREATE TABLE runs (x TEXT)");
        } else if (kind == "newer") {
            Database newer(sourcePath);
            newer.exec("PRAGMA user_version = 999");
        } else if (kind == "itself") {
            sourcePath = targetPath;
        }
        const auto hash = kind == "missing" ? std::string() : fileHash(sourcePath);
        try {
            importRuns(target, sourcePath);
            QFAIL("a bad source was imported");
        } catch (const StoreError &e) {
            const std::string what = e.what();
            QVERIFY2(what.find(expected.toStdString()) != std::string::npos, e.what());
            QVERIFY2(what.find(sourcePath) != std::string::npos, e.what());
        }
        QCOMPARE(wholeDatabase(target.database()), before);
        if (kind != "missing")
            QCOMPARE(fileHash(sourcePath), hash);
        QCOMPARE(QDir(dir.path()).entryList({"*.import-*"}, QDir::Files).size(), 0);
    }

    void aRunDamagedInTheFileIsLeftOutWhole()
    {
        QTemporaryDir dir;
        const auto sourcePath = dbPath(dir, "task.sqlite");
        {
            RunStore source(sourcePath);
            recordRun(source, "good", RunStatus::Succeeded);
            const auto bad = recordRun(source, "bad", RunStatus::Succeeded);
            // A metric row naming no metric: what a damaged or hand-edited file may hold.
            source.database().exec("PRAGMA foreign_keys = OFF");
            source.database().exec("INSERT INTO metrics VALUES (" + std::to_string(bad)
                                   + ", 999, 7, 1.0)");
        }
        RunStore target(dbPath(dir, "main.sqlite"));
        const auto report = importRuns(target, sourcePath);
        QCOMPARE(report.runs[0].action, ImportAction::Added);
        QCOMPARE(report.runs[1].action, ImportAction::Skipped);
        QVERIFY2(report.runs[1].reason.find("damaged") != std::string::npos,
                 report.runs[1].reason.c_str());
        QVERIFY(target.findRunByUuid("good"));
        QVERIFY(!target.findRunByUuid("bad"));
        QCOMPARE(integrityCheck(target.database()), std::string("ok"));
        QCOMPARE(target.database().queryInt64("SELECT count(*) FROM metrics WHERE run_id NOT IN"
                                              " (SELECT id FROM runs)"),
                 std::int64_t(0));
    }

    void aStopRequestEndsBetweenRuns()
    {
        QTemporaryDir dir;
        const auto sourcePath = dbPath(dir, "task.sqlite");
        {
            RunStore source(sourcePath);
            for (const char *uuid : {"r1", "r2", "r3"})
                recordRun(source, uuid, RunStatus::Succeeded);
        }
        RunStore target(dbPath(dir, "main.sqlite"));
        std::stop_source stop;
        const auto report = importRuns(
            target, sourcePath, [&](std::size_t done, std::size_t) {
                if (done == 1)
                    stop.request_stop();
            },
            stop.get_token());
        QVERIFY(report.cancelled);
        QCOMPARE(report.runs.size(), std::size_t(1));
        QVERIFY(target.findRunByUuid("r1"));
        QVERIFY(!target.findRunByUuid("r2"));
    }
};

QTEST_APPLESS_MAIN(TestRunImport)
#include "tst_run_import.moc"
