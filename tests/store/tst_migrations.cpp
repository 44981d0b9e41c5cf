// Migrations: every earlier schema version upgrades with its data intact; newer ones are refused.
#include "store/database.h"
#include "store/migrations.h"
#include "store/run_store.h"
#include "store/statement.h"
#include "store/store_error.h"
#include "store_test_support.h"

#include <QTemporaryDir>
#include <QTest>

#include <filesystem>
#include <fstream>
#include <iterator>

using namespace slim::store;

namespace {

// Rows as a program at `version` would have written them, in that version's columns (raw SQL:
// RunStore only speaks the current schema).
void seed(Database &db, int version)
{
    if (version >= 1) {
        db.exec("INSERT INTO runs (id, uuid, name, method, status, spec_json, seed, pid,"
                " heartbeat_at, notes, downstream_avg, general_avg, forgetting_avg)"
                " VALUES (1, 'u-1', 'old run', 'slim', 'succeeded', '{\"lr\":0.001}', 7, 12345,"
                " '2024-01-01T00:00:00.000Z', 'kept notes', 0.61, 0.42, 0.03);"
                "INSERT INTO runs (id, uuid, name, method, parent_run_id)"
                " VALUES (2, 'u-2', 'resumed', 'slim', 1);"
                "INSERT INTO run_tags VALUES (1, 'baseline'), (1, 'paper');"
                "INSERT INTO metric_names (id, name) VALUES (1, 'loss/lm'), (2, 'lr');"
                "INSERT INTO metrics VALUES (1, 1, 0, 2.5), (1, 1, 10, 2.0), (1, 2, 0, 1e-3);"
                "INSERT INTO eval_results (run_id, step, task, split, metric, value, n, mode,"
                " is_final, floor, task_kind) VALUES (1, 100, 'arc_easy', 'test', 'acc', 0.55,"
                " 500, 'loglikelihood', 1, 0.25, 'general');"
                "INSERT INTO base_scores (model_hash, task, split, metric, mode, template_hash,"
                " shots, task_version, value, n) VALUES ('m1', 'arc_easy', 'test', 'acc',"
                " 'loglikelihood', 't1', 0, 'v1', 0.5, 500);");
    }
    if (version >= 2) {
        db.exec("INSERT INTO routing_layer_stats (run_id, step, probe, layer, site, tokens,"
                " identity_mass, full_identity_rate) VALUES (1, 100, 'train', 0, 'mlp', 4096,"
                " 0.2, 0.05);"
                "INSERT INTO checkpoints (run_id, step, path, sha256, bytes)"
                " VALUES (1, 100, 'ckpt/100', 'abc', 42);");
    }
}

void checkSeed(RunStore &store, int version)
{
    if (version < 1) {
        QCOMPARE(store.listRuns().size(), std::size_t(0));
        return;
    }
    const auto run = store.getRun(1);
    QVERIFY(run);
    QCOMPARE(run->name, std::string("old run"));
    QCOMPARE(run->status, RunStatus::Succeeded);
    QCOMPARE(run->specJson, std::string("{\"lr\":0.001}"));
    QCOMPARE(run->seed, std::optional<std::int64_t>(7));
    QCOMPARE(run->notes, std::string("kept notes"));
    QCOMPARE(run->forgettingAvg, std::optional<double>(0.03));
    QCOMPARE(run->tags, (std::vector<std::string> {"baseline", "paper"}));
    QCOMPARE(run->host, std::string()); // column added by migration 3, NULL for old rows
    QCOMPARE(store.getRun(2)->parentRunId, std::optional<std::int64_t>(1));
    QCOMPARE(store.metricNames(1), (std::vector<std::string> {"loss/lm", "lr"}));
    const auto loss = store.series(1, "loss/lm", 100);
    QCOMPARE(loss.size(), std::size_t(2));
    QCOMPARE(loss[1].last, 2.0);
    const auto evals = store.evalResults(1);
    QCOMPARE(evals.size(), std::size_t(1));
    QCOMPARE(evals[0].floor, std::optional<double>(0.25));
    QCOMPARE(evals[0].kind, TaskKind::General);
    BaseScoreKey key {"m1", "arc_easy", "test", "acc", ScoringMode::LogLikelihood, "t1", 0, "v1"};
    QVERIFY(store.baseScore(key));
    QCOMPARE(store.baseScore(key)->value, 0.5);
    if (version >= 2) {
        const auto routing = store.routingLayerStats(1);
        QCOMPARE(routing.size(), std::size_t(1));
        QCOMPARE(routing[0].tokens, 4096);
        QCOMPARE(store.latestCheckpoint(1)->path, std::string("ckpt/100"));
        QVERIFY(!store.latestCheckpoint(1)->pinned); // migration 5's column, off for old rows
        store.setCheckpointPinned(1, 100, true);
        QVERIFY(store.latestCheckpoint(1)->pinned);
    }
    if (version >= 1) {
        // Migration 6: runs from before sweeps belong to none; a sweep can be recorded after.
        QVERIFY(!store.getRun(1)->sweepId);
        QVERIFY(store.listSweeps().empty());
        SweepRecord sweep;
        sweep.uuid = "s-1";
        sweep.name = "grid";
        const auto id = store.createSweep(sweep);
        QCOMPARE(store.createSweep(sweep), id); // the same sweep once
        RunRecord run;
        run.sweepId = id;
        run.sweepIndex = 0;
        const auto runId = store.createRun(run);
        RunFilter filter;
        filter.sweepId = id;
        QCOMPARE(store.listRuns(filter).size(), std::size_t(1));
        QCOMPARE(store.listRuns(filter)[0].sweepName, std::string("grid"));
        QCOMPARE(store.getRun(runId)->sweepIndex, std::optional<std::int64_t>(0));
    }
}

// Everything that defines the schema, in a comparable form.
std::string fileBytes(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<std::string> schemaOf(Database &db)
{
    Statement query(db,
                    "SELECT type || ' ' || name || ': ' || coalesce(sql, '')"
                    " FROM sqlite_master ORDER BY type, name");
    std::vector<std::string> out;
    while (query.step())
        out.push_back(query.columnText(0));
    return out;
}

} // namespace

class TestMigrations : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY(latestSchemaVersion() >= 2);
        for (std::size_t i = 0; i < migrations().size(); ++i)
            QCOMPARE(migrations()[i].version, int(i) + 1); // never renumber, never skip
        Database fresh(test::dbPath(m_dir, "fresh.sqlite"));
        QCOMPARE(migrate(fresh), latestSchemaVersion());
        m_currentSchema = schemaOf(fresh);
        QVERIFY(m_currentSchema.size() > 10);
    }

    void upgradesFromEveryEarlierVersion_data()
    {
        QTest::addColumn<int>("version");
        for (int v = 0; v < latestSchemaVersion(); ++v)
            QTest::addRow("from v%d", v) << v;
    }

    void upgradesFromEveryEarlierVersion()
    {
        QFETCH(int, version);
        const std::string path = test::dbPath(m_dir, QTest::currentDataTag());
        {
            Database old(path);
            migrateTo(old, version);
            QCOMPARE(old.userVersion(), version);
            seed(old, version);
        }
        RunStore store(path);
        QCOMPARE(store.database().userVersion(), latestSchemaVersion());
        QCOMPARE(schemaOf(store.database()), m_currentSchema);
        QCOMPARE(test::integrityCheck(store.database()), std::string("ok"));
        QCOMPARE(store.database().queryInt64("SELECT count(*) FROM pragma_foreign_key_check"), 0);
        checkSeed(store, version);
        // The upgraded file works for writing through the current API.
        const std::int64_t id = store.createRun({});
        store.startRun(id);
        QCOMPARE(store.getRun(id)->host.empty(), false);
    }

    void reopeningCurrentDatabaseChangesNothing()
    {
        const std::string path = test::dbPath(m_dir, "reopen.sqlite");
        {
            RunStore first(path);
            first.createRun({});
        }
        RunStore second(path);
        QCOMPARE(second.listRuns().size(), std::size_t(1));
        QCOMPARE(schemaOf(second.database()), m_currentSchema);
    }

    void newerDatabaseIsRefused()
    {
        const std::string path = test::dbPath(m_dir, "newer.sqlite");
        const int newer = latestSchemaVersion() + 1;
        {
            Database db(path);
            migrate(db);
            db.setUserVersion(newer);
        }
        const auto before = fileBytes(path);
        try {
            RunStore store(path);
            QFAIL("a database from a newer program was opened");
        } catch (const StoreError &error) {
            const std::string expected = "'" + path + "': database schema version "
                + std::to_string(newer) + " is newer than this program supports ("
                + std::to_string(newer - 1) + "); upgrade SLIM Workbench";
            QCOMPARE(std::string(error.what()), expected);
        }
        QVERIFY(fileBytes(path) == before); // untouched: not even switched to WAL
    }

    void fileThatIsNoDatabaseIsRefusedUnchanged()
    {
        for (const std::string content : {std::string("name,score\nslim,0.5\n"),
                                          std::string(4096, '\x7f')}) {
            const std::string path = test::dbPath(m_dir, "not-a-database.sqlite");
            std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
            try {
                RunStore store(path);
                QFAIL("a file that is no database was opened");
            } catch (const StoreError &error) {
                QCOMPARE(std::string(error.what()),
                         "'" + path + "' is not a SLIM Workbench database (not an SQLite file, "
                                      "or a damaged one)");
            }
            QVERIFY(fileBytes(path) == content);
            QVERIFY(!std::filesystem::exists(path + "-wal"));
            QVERIFY(!std::filesystem::exists(path + "-journal"));
        }
    }

    void failedMigrationLeavesPreviousVersion()
    {
        // A table in the way makes migration 2 fail half-way through its SQL.
        const std::string path = test::dbPath(m_dir, "blocked.sqlite");
        {
            Database db(path);
            migrateTo(db, 1);
            db.exec("CREATE TABLE checkpoints (x)");
        }
        QVERIFY_THROWS_EXCEPTION(StoreError, RunStore store(path));
        Database db(path);
        QCOMPARE(db.userVersion(), 1);
        // Tables created earlier in migration 2 were rolled back with it.
        QCOMPARE(db.queryInt64("SELECT count(*) FROM sqlite_master"
                               " WHERE name = 'routing_layer_stats'"),
                 0);
    }

    void cannotMigrateDown()
    {
        Database db(test::dbPath(m_dir, "down.sqlite"));
        migrate(db);
        QVERIFY_THROWS_EXCEPTION(StoreError, migrateTo(db, 1));
        QCOMPARE(db.userVersion(), latestSchemaVersion());
    }

private:
    QTemporaryDir m_dir;
    std::vector<std::string> m_currentSchema;
};

QTEST_APPLESS_MAIN(TestMigrations)
#include "tst_migrations.moc"
