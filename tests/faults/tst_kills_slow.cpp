// kill -9 at random moments: of `slimctl train` (and the resumes that follow it), of the window
// with a job running, of `slimctl delete` and of `slimctl import`. After every kill the database
// passes integrity_check and foreign_key_check; every interrupted run resumes to the same final
// weights as the uninterrupted one (bit-exact on CPU); a killed delete or import leaves each run
// either whole or absent, and importing again completes the merge. The moments come from a seeded generator (SLIM_KILL_SEED, printed) spread over
// the whole life of the process, start-up and shut-down included.
#include "fault_support.h"
#include "fixture_store.h"
#include "store/database.h"
#include "store/run_store.h"
#include "store/statement.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

#include <csignal>
#include <map>
#include <optional>
#include <random>

using namespace slim;
using namespace slim::testing::faults;

namespace {

constexpr int kSteps = 120;
constexpr int kTrainKills = 60, kWindowKills = 20, kDeleteKills = 20, kImportKills = 20;

class TestKills : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_model, m_home, m_spec;
    std::string m_reference;
    qint64 m_runMs = 0; // how long the uninterrupted run took, start-up included
    std::mt19937 m_random;
    int m_kills = 0;

    // Waits a random moment of a process's life (up to `spanMs`), then kills it with SIGKILL
    // unless it ended first. Returns true when it was killed.
    bool killAtRandomMoment(QProcess &process, qint64 spanMs)
    {
        std::uniform_int_distribution<qint64> moment(0, spanMs);
        if (process.waitForFinished(int(moment(m_random))))
            return false;
        ::kill(pid_t(process.processId()), SIGKILL);
        process.waitForFinished();
        ++m_kills;
        return true;
    }

    // Polls `condition` (a store read that may meet a database being created) every 10 ms.
    template<typename Condition>
    static bool waitUntil(Condition condition, int timeoutMs = 60000)
    {
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < timeoutMs) {
            try {
                if (condition())
                    return true;
            } catch (const std::exception &) {
                // not there yet
            }
            QThread::msleep(10);
        }
        return false;
    }

    void checkDatabase(const QString &db)
    {
        if (!QFileInfo::exists(db))
            return; // killed before it was created
        QCOMPARE(integrityOf(db), std::string("ok"));
        store::Database reader(db.toStdString(), {.readOnly = true});
        store::Statement fk(reader, "PRAGMA foreign_key_check");
        QVERIFY2(!fk.step(), "a row refers to a missing row");
    }

    void checkFinishedLikeTheReference(const QString &db, const std::string &name)
    {
        const auto run = runNamed(db, name);
        QVERIFY(run);
        QCOMPARE(run->status, std::string("succeeded"));
        QCOMPARE(run->step, std::int64_t(kSteps));
        QCOMPARE(run->finalWeights, m_reference);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        const auto seed = qEnvironmentVariableIsSet("SLIM_KILL_SEED")
                              ? qEnvironmentVariableIntValue("SLIM_KILL_SEED")
                              : int(QDateTime::currentMSecsSinceEpoch() % 100000);
        qInfo("kill moments from seed %d (SLIM_KILL_SEED=%d repeats them)", seed, seed);
        m_random.seed(std::uint32_t(seed));
        m_home = m_dir.filePath("home");
        qputenv("XDG_DATA_HOME", m_home.toUtf8());
        m_model = m_dir.filePath("tiny-model");
        QString error;
        QVERIFY2(testing::makeTinyModel(m_model, &error), qPrintable(error));
        m_spec = test::writeJsonFile(m_dir.filePath("spec.json"), longRunSpec(m_model, kSteps));
        const auto db = m_dir.filePath("reference.sqlite");
        QElapsedTimer clock;
        clock.start();
        auto r = slimctl(db, m_home, {"--quiet", "train", m_spec, "--name", "reference"});
        m_runMs = clock.elapsed();
        QVERIFY2(r.code == 0, qPrintable(r.err));
        m_reference = runNamed(db, "reference")->finalWeights;
        qInfo("an uninterrupted run takes %lld ms", m_runMs);
    }

    // Each run is killed again and again (train, then resume after resume) until one
    // attempt outlives its random moment and finishes.
    void killsDuringSlimctlTrain()
    {
        const auto db = m_dir.filePath("train.sqlite");
        const int before = m_kills;
        int runs = 0;
        while (m_kills - before < kTrainKills) {
            const auto name = "killed " + std::to_string(runs++);
            for (int attempt = 0;; ++attempt) {
                QVERIFY2(attempt < 200, "the run never finished");
                QProcess p;
                std::optional<RunState> run;
                if (QFileInfo::exists(db))
                    run = runNamed(db, name);
                if (run && run->status == "succeeded")
                    break; // killed while it was shutting down, after the run ended
                startSlimctl(p, db, m_home,
                             run ? QStringList{"--quiet", "resume", QString::number(run->id)}
                                 : QStringList{"--quiet", "train", m_spec, "--name",
                                               QString::fromStdString(name)});
                QVERIFY(p.waitForStarted());
                const bool killed = killAtRandomMoment(p, m_runMs);
                checkDatabase(db);
                if (QTest::currentTestFailed())
                    return;
                if (!killed) {
                    QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
                    break;
                }
            }
            checkFinishedLikeTheReference(db, name);
            if (QTest::currentTestFailed())
                return;
        }
        qInfo("%d kills over %d runs of slimctl train/resume", m_kills - before, runs);
    }

    // The window killed with a job running; the run then resumes (slimctl, the same path as
    // the window's Resume) to the reference's weights.
    void killsOfTheWindowWithAJob()
    {
        const auto db = m_dir.filePath("window.sqlite");
        int whileRunning = 0;
        for (int i = 0; i < kWindowKills; ++i) {
            const auto name = "window " + std::to_string(i);
            auto spec = longRunSpec(m_model, kSteps);
            spec["name"] = name;
            const auto specPath = test::writeJsonFile(m_dir.filePath("window-spec.json"), spec);
            QProcess window;
            auto env = test::testEnvironment(m_home);
            env.insert("QT_QPA_PLATFORM", "offscreen");
            window.setProcessEnvironment(env);
            window.start(SLIM_WORKBENCH_PATH, {"--db", db, "--run", specPath});
            QVERIFY(window.waitForStarted());
            // From the moment its job runs; the window never ends by itself.
            QVERIFY(waitUntil([&] {
                const auto run = runNamed(db, name);
                return run && run->status == "running";
            }));
            QVERIFY(killAtRandomMoment(window, m_runMs / 2)); // the job runs ~half the time
            checkDatabase(db);
            const auto run = QFileInfo::exists(db) ? runNamed(db, name) : std::nullopt;
            if (!run)
                continue; // killed before the run was recorded
            if (run->status != "succeeded") {
                ++whileRunning;
                auto resumed = slimctl(db, m_home, {"--quiet", "resume", QString::number(run->id)});
                QVERIFY2(resumed.code == 0, qPrintable(resumed.err));
            }
            checkFinishedLikeTheReference(db, name);
            if (QTest::currentTestFailed())
                return;
        }
        qInfo("%d window kills, %d of them before its job had finished", kWindowKills,
              whileRunning);
    }

    // Runs with `rows` metric rows each, for deleting; their row counts go to `rowsOf`.
    static void addRunsToDelete(const QString &db, int count, int rows,
                                std::map<std::int64_t, std::int64_t> &rowsOf)
    {
        store::RunStore writer(db.toStdString());
        for (int i = 0; i < count; ++i) {
            store::RunRecord r;
            r.name = "to delete";
            r.method = "lora";
            const auto id = writer.createRun(r);
            std::vector<store::MetricRow> metrics;
            for (int step = 0; step < rows / 4; ++step)
                for (const char *metric : {"loss/lm", "loss/l1", "lr", "grad_norm"})
                    metrics.push_back({step, metric, 0.001 * step});
            writer.appendMetrics(id, metrics);
            writer.setStatus(id, store::RunStatus::Succeeded, "");
            rowsOf[id] = std::int64_t(metrics.size());
        }
    }

    // `slimctl delete` of runs with many metric rows, killed at random: each run is whole or
    // gone, never half deleted.
    void killsDuringSlimctlDelete()
    {
        const auto db = m_dir.filePath("delete.sqlite");
        std::map<std::int64_t, std::int64_t> rowsOf; // the runs still there
        int midway = 0; // kills after some of the runs given were deleted, before all were
        for (int kills = 0; kills < kDeleteKills;) {
            if (rowsOf.size() < 4)
                addRunsToDelete(db, 8, 40000, rowsOf);
            QStringList args{"--quiet", "delete"};
            for (const auto &entry : rowsOf)
                args << QString::number(entry.first);
            QProcess p;
            startSlimctl(p, db, m_home, args);
            QVERIFY(p.waitForStarted());
            // From the moment the first run is gone: the kills fall among the deletions.
            const auto first = rowsOf.begin()->first;
            QVERIFY(waitUntil([&] {
                store::Database reader(db.toStdString(), {.readOnly = true});
                store::Statement q(reader, "SELECT COUNT(*) FROM runs WHERE id = ?1");
                q.bind(1, first);
                return p.state() == QProcess::NotRunning || (q.step() && q.columnInt64(0) == 0);
            }));
            const auto given = rowsOf.size();
            const bool killed = killAtRandomMoment(p, 800);
            if (killed)
                ++kills;
            else
                QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
            checkDatabase(db);
            store::Database reader(db.toStdString(), {.readOnly = true});
            for (auto it = rowsOf.begin(); it != rowsOf.end();) {
                store::Statement count(reader, "SELECT (SELECT COUNT(*) FROM runs WHERE id = ?1),"
                                               " (SELECT COUNT(*) FROM metrics WHERE run_id = ?1)");
                count.bind(1, it->first);
                QVERIFY(count.step());
                const bool present = count.columnInt64(0) == 1;
                QCOMPARE(count.columnInt64(1), present ? it->second : std::int64_t(0));
                it = present ? std::next(it) : rowsOf.erase(it);
            }
            if (killed && !rowsOf.empty() && rowsOf.size() < given)
                ++midway;
        }
        qInfo("%d kills of slimctl delete, %d of them after some runs were deleted", kDeleteKills,
              midway);
    }

    // `slimctl import` of a database of runs with many metric rows, killed at random (its
    // snapshot, its merges): each run is in the target whole or not at all, and the next import
    // carries on where it stopped.
    void killsDuringSlimctlImport()
    {
        const auto source = m_dir.filePath("import-source.sqlite");
        std::map<std::int64_t, std::int64_t> rowsOf;
        addRunsToDelete(source, 12, 40000, rowsOf);
        std::map<std::string, std::int64_t> rowsOfUuid;
        {
            store::RunStore reader(source.toStdString());
            for (const auto &[id, rows] : rowsOf)
                rowsOfUuid[reader.getRun(id)->uuid] = rows;
        }
        const auto target = m_dir.filePath("import-target.sqlite");
        auto present = [&] {
            std::size_t count = 0;
            if (!QFileInfo::exists(target)) // killed before it made the file
                return count;
            store::Database reader(target.toStdString(), {.readOnly = true});
            // Killed before it made its tables: an empty database.
            if (reader.queryInt64("SELECT count(*) FROM sqlite_schema WHERE name = 'runs'") == 0)
                return count;
            for (const auto &[uuid, rows] : rowsOfUuid) {
                store::Statement q(reader, "SELECT r.id, (SELECT COUNT(*) FROM metrics m WHERE"
                                           " m.run_id = r.id) FROM runs r WHERE r.uuid = ?1");
                q.bind(1, uuid);
                if (!q.step())
                    continue;
                ++count;
                if (q.columnInt64(1) != rows)
                    return std::size_t(-1); // a run merged in part
            }
            return count;
        };
        // How long a whole import takes: the kills fall within it.
        QElapsedTimer clock;
        clock.start();
        auto whole = slimctl(target, m_home, {"--quiet", "import", source});
        QVERIFY2(whole.code == 0, qPrintable(whole.err));
        const auto importMs = clock.elapsed();
        QCOMPARE(present(), rowsOfUuid.size());
        int midway = 0;
        for (int kills = 0; kills < kImportKills;) {
            if (present() == rowsOfUuid.size()) // merged: start over on an empty target
                for (const char *suffix : {"", "-wal", "-shm"})
                    QFile::remove(target + suffix);
            QProcess p;
            startSlimctl(p, target, m_home, {"--quiet", "import", source});
            QVERIFY(p.waitForStarted());
            const bool killed = killAtRandomMoment(p, importMs + 200);
            if (killed)
                ++kills;
            else
                QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
            checkDatabase(target);
            if (!QFileInfo::exists(target))
                continue;
            const auto merged = present();
            QVERIFY2(merged != std::size_t(-1), "a run was merged in part");
            if (killed && merged > 0 && merged < rowsOfUuid.size())
                ++midway;
        }
        // Importing again completes the merge, and leaves no snapshot behind.
        auto rest = slimctl(target, m_home, {"--quiet", "import", source});
        QVERIFY2(rest.code == 0, qPrintable(rest.err));
        QCOMPARE(present(), rowsOfUuid.size());
        QCOMPARE(QDir(m_dir.path()).entryList({"import-target.sqlite.import-*"}).size(), 0);
        qInfo("%d kills of slimctl import (a whole import: %lld ms), %d of them with some runs "
              "merged", kImportKills, importMs, midway);
    }

    void cleanupTestCase() { qInfo("%d kills, every one left a sound database", m_kills); }
};

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    TestKills test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_kills_slow.moc"
