// Faults while a run records: the database's disk fills, the checkpoints' disk fills, the
// database's disk turns read-only under it, another writer holds the database locked past the
// busy timeout, checkpoints are damaged after they were written, a job is too large for the
// memory limit. Each time slimctl (and the window's job manager) names the cause, the run is
// left failed or interrupted with its last good checkpoint, the database passes
// integrity_check, and once the cause is gone the run resumes to the same final weights as a
// run that never met the fault. The test mounts small file systems in a private mount namespace.
#include "fault_support.h"
#include "fixture_store.h"
#include "job_manager.h"
#include "store/database.h"
#include "store/statement.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <filesystem>
#include <fstream>

using namespace slim;
using namespace slim::testing::faults;

namespace {

constexpr int kSteps = 300;

class TestFaults : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_model, m_home;
    std::string m_reference; // the final weights of the run that met no fault

    QString caseDir(const QString &name) const { return m_dir.filePath(name); }

    QString writeSpec(const QString &dir, const std::string &name, int steps = kSteps) const
    {
        QDir().mkpath(dir);
        auto spec = longRunSpec(m_model, steps);
        spec["name"] = name;
        return test::writeJsonFile(dir + "/spec.json", spec);
    }

    // Starts `slimctl train` of the long run named `name` recording in `db`.
    void startRun(QProcess &process, const QString &db, const std::string &name)
    {
        startSlimctl(process, db, m_home,
                     {"train", writeSpec(QFileInfo(db).path() + "/../spec", name)});
        QVERIFY(process.waitForStarted());
    }

    // Waits for a faulted slimctl to end; returns its stderr after checking it failed.
    QString failedOutput(QProcess &process)
    {
        if (!process.waitForFinished(300000)) {
            process.kill();
            process.waitForFinished();
        }
        const auto err = QString::fromUtf8(process.readAllStandardError());
        if (process.exitCode() != 1)
            qWarning("slimctl exited with %d:\n%s", process.exitCode(), qPrintable(err));
        else // what the user read (docs/reliability.md quotes it)
            qInfo("%s", qPrintable(err.section('\n', -3)));
        return err;
    }

    // Runs the long run `name` in `db`, injects the fault once its first checkpoint is recorded,
    // and leaves in `err` what slimctl printed when it failed (exit code 1).
    template<typename Fault>
    void runIntoFault(const QString &db, const std::string &name, Fault inject, QString &err)
    {
        QProcess p;
        startRun(p, db, name);
        QVERIFY(waitForCheckpoint(db, name, 10));
        inject();
        err = failedOutput(p);
        QCOMPARE(p.exitCode(), 1);
    }

    // After a fault: a sound database, the run failed or interrupted (once a listing has
    // looked at it) at a recorded step, with its error.
    void checkLeftResumable(const QString &db, const std::string &name)
    {
        QCOMPARE(integrityOf(db), std::string("ok"));
        auto listing = slimctl(db, m_home, {"--json", "runs"});
        QVERIFY2(listing.code == 0, qPrintable(listing.err));
        const auto run = runNamed(db, name);
        QVERIFY(run);
        QVERIFY2(run->status == "failed" || run->status == "interrupted", run->status.c_str());
        QVERIFY(!run->error.empty());
    }

    // The cause is gone: the run resumes and ends with the uninterrupted run's weights.
    void resumeToTheSameWeights(const QString &db, const std::string &name)
    {
        const auto run = runNamed(db, name);
        QVERIFY(run);
        auto resumed = slimctl(db, m_home, {"resume", QString::number(run->id)});
        QVERIFY2(resumed.code == 0, qPrintable(resumed.err));
        const auto after = runNamed(db, name);
        QCOMPARE(after->status, std::string("succeeded"));
        QCOMPARE(after->step, std::int64_t(kSteps));
        QCOMPARE(after->finalWeights, m_reference);
        QCOMPARE(integrityOf(db), std::string("ok"));
    }

    // Fails the test (its caller returns) where no file system can be mounted.
    void needMounts()
    {
        if (!mountProblem().isEmpty())
            QFAIL(qPrintable("this test mounts small file systems (root, or user namespaces): "
                             + mountProblem()));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_home = m_dir.filePath("home");
        qputenv("XDG_DATA_HOME", m_home.toUtf8());
        m_model = m_dir.filePath("tiny-model");
        QString error;
        QVERIFY2(testing::makeTinyModel(m_model, &error), qPrintable(error));
        const auto db = m_dir.filePath("reference/runs.sqlite");
        auto r = slimctl(db, m_home, {"--quiet", "train", writeSpec(caseDir("reference"), "reference")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        m_reference = runNamed(db, "reference")->finalWeights;
        QVERIFY(!m_reference.empty());
    }

    void diskFullWhileRecordingMetrics()
    {
        needMounts();
        if (QTest::currentTestFailed())
            return;
        const auto dbDir = caseDir("metrics-full/db");
        QCOMPARE(mountTmpfs(dbDir, 16 << 20), QString());
        QCOMPARE(mountTmpfs(dbDir + "/runs", 64 << 20), QString()); // checkpoints have room
        const auto db = dbDir + "/runs.sqlite";
        QString err;
        runIntoFault(db, "metrics-full", [&] { QVERIFY(fillFileSystem(dbDir) > 0); }, err);
        if (QTest::currentTestFailed())
            return;
        QVERIFY2(err.contains("is full") && err.contains(db), qPrintable(err));
        QCOMPARE(integrityOf(db), std::string("ok")); // still full
        QVERIFY(QFile::remove(dbDir + "/filler"));
        checkLeftResumable(db, "metrics-full");
        resumeToTheSameWeights(db, "metrics-full");
    }

    void diskFullWhileWritingACheckpoint()
    {
        needMounts();
        if (QTest::currentTestFailed())
            return;
        const auto dbDir = caseDir("checkpoint-full/db");
        QCOMPARE(mountTmpfs(dbDir + "/runs", 16 << 20), QString());
        const auto db = dbDir + "/runs.sqlite";
        QString err;
        runIntoFault(db, "checkpoint-full", [&] { QVERIFY(fillFileSystem(dbDir + "/runs") > 0); },
                     err);
        if (QTest::currentTestFailed())
            return;
        QVERIFY2(err.contains("checkpoint") && err.contains("No space left on device"),
                 qPrintable(err));
        // Recorded (the database has room): failed, with the cause and the checkpoint kept.
        const auto run = runNamed(db, "checkpoint-full");
        QCOMPARE(run->status, std::string("failed"));
        QVERIFY2(QString::fromStdString(run->error).contains("No space left on device"),
                 run->error.c_str());
        QVERIFY2(QString::fromStdString(run->error).contains("can be resumed"), run->error.c_str());
        // No half-written checkpoint is left behind.
        for (const auto &entry : std::filesystem::recursive_directory_iterator(
                 (dbDir + "/runs").toStdString()))
            QVERIFY2(entry.path().extension() != ".tmp", entry.path().c_str());
        QVERIFY(QFile::remove(dbDir + "/runs/filler"));
        checkLeftResumable(db, "checkpoint-full");
        resumeToTheSameWeights(db, "checkpoint-full");
    }

    void databaseDiskTurnsReadOnly()
    {
        needMounts();
        if (QTest::currentTestFailed())
            return;
        const auto image = caseDir("read-only/disk.img");
        const auto dbDir = caseDir("read-only/db");
        QDir().mkpath(caseDir("read-only"));
        if (auto e = mountExt4(image, dbDir, 64 << 20); !e.isEmpty())
            QFAIL(qPrintable("an ext4 loop file system is needed: " + e));
        const auto db = dbDir + "/runs.sqlite";
        QString err;
        runIntoFault(db, "read-only", [&] { QCOMPARE(failExt4(dbDir), QString()); }, err);
        if (QTest::currentTestFailed())
            return;
        QVERIFY2(err.contains(dbDir) && (err.contains("read-only") || err.contains("input/output")),
                 qPrintable(err));
        QCOMPARE(integrityOf(db), std::string("ok")); // readable as it is
        // The cause gone as an administrator would: unmount, check the file system, mount.
        QCOMPARE(unmount(dbDir), QString());
        QProcess fsck;
        fsck.start("e2fsck", {"-fy", image});
        QVERIFY(fsck.waitForFinished(60000));
        QVERIFY2(fsck.exitCode() <= 1, fsck.readAllStandardOutput().constData());
        QCOMPARE(mountImage(image, dbDir), QString());
        checkLeftResumable(db, "read-only");
        resumeToTheSameWeights(db, "read-only");
        QCOMPARE(unmount(dbDir), QString());
    }

    void databaseLockedPastTheBusyTimeout()
    {
        const auto db = caseDir("locked/db/runs.sqlite");
        QString err;
        runIntoFault(db, "locked", [&] {
            store::Database other(db.toStdString());
            other.exec("BEGIN IMMEDIATE"); // another program's long write transaction
            QThread::sleep(8);
            other.exec("ROLLBACK");
        }, err);
        if (QTest::currentTestFailed())
            return;
        QVERIFY2(err.contains("locked by another program") && err.contains(db), qPrintable(err));
        checkLeftResumable(db, "locked");
        resumeToTheSameWeights(db, "locked");
    }

    void damagedCheckpointsAreSkippedOnResume()
    {
        const auto db = caseDir("damaged/db/runs.sqlite");
        QProcess p;
        startRun(p, db, "damaged");
        QVERIFY(waitForCheckpoint(db, "damaged", 60));
        ::kill(pid_t(p.processId()), SIGKILL);
        QVERIFY(p.waitForFinished());
        // The two newest checkpoints are damaged on disk after they were recorded.
        std::vector<std::filesystem::path> dirs;
        {
            store::Database reader(db.toStdString(), {.readOnly = true});
            store::Statement q(reader, "SELECT path FROM checkpoints ORDER BY step DESC");
            while (q.step())
                dirs.emplace_back(q.columnText(0));
        }
        QVERIFY(dirs.size() >= 3);
        const auto weights = dirs[0] / "adapter_model.safetensors";
        std::filesystem::resize_file(weights, std::filesystem::file_size(weights) / 2);
        std::filesystem::resize_file(dirs[1] / "optimizer.pt", 0);
        const auto run = runNamed(db, "damaged");
        auto resumed = slimctl(db, m_home, {"resume", QString::number(run->id)});
        QVERIFY2(resumed.code == 0, qPrintable(resumed.err));
        for (const auto &line : resumed.err.split('\n'))
            if (line.contains("damaged") || line.startsWith("resuming"))
                qInfo("%s", qPrintable(line));
        QVERIFY2(resumed.err.contains(QString::fromStdString(dirs[0].filename().string())
                                      + " is damaged")
                     && resumed.err.contains(QString::fromStdString(dirs[1].filename().string())
                                             + " is damaged")
                     && resumed.err.contains("resuming from "
                                             + QString::fromStdString(dirs[2].string())),
                 qPrintable(resumed.err));
        const auto after = runNamed(db, "damaged");
        QCOMPARE(after->status, std::string("succeeded"));
        QCOMPARE(after->finalWeights, m_reference);
        QCOMPARE(integrityOf(db), std::string("ok"));
    }

    void jobTooLargeForTheMemoryLimit()
    {
        // An address-space limit (ulimit -v), as a batch system sets: the job is refused
        // before it loads anything, naming the limit; without the limit it runs.
        const auto db = caseDir("memory/db/runs.sqlite");
        auto spec = longRunSpec(m_model, 2);
        spec["name"] = "memory";
        spec["schedule"]["batch_size"] = 256;
        spec["schedule"]["max_length"] = 512;
        QDir().mkpath(caseDir("memory"));
        const auto specPath = test::writeJsonFile(caseDir("memory/spec.json"), spec);
        auto limited = test::runProcess("prlimit", {"--as=3000000000", SLIMCTL_PATH, "--db", db,
                                                    "train", specPath}, m_home);
        QCOMPARE(limited.code, 1);
        qInfo("%s", qPrintable(limited.err.split('\n').filter("more than").value(0)));
        QVERIFY2(limited.err.contains("more than the") && limited.err.contains("memory limit"),
                 qPrintable(limited.err));
        checkLeftResumable(db, "memory");
        const auto run = runNamed(db, "memory");
        auto resumed = slimctl(db, m_home, {"--quiet", "resume", QString::number(run->id)});
        QVERIFY2(resumed.code == 0, qPrintable(resumed.err));
        QCOMPARE(runNamed(db, "memory")->status, std::string("succeeded"));
        QCOMPARE(integrityOf(db), std::string("ok"));
    }

    // A cgroup's memory limit (a batch system's or a container's): the same refusal, naming
    // the cgroup.
    void jobTooLargeForTheCgroupLimit()
    {
        const auto cgroup = makeMemoryCgroup(qint64(1) << 30);
        if (!cgroup.problem.isEmpty())
            QFAIL(qPrintable("a memory cgroup is needed: " + cgroup.problem));
        const auto db = caseDir("cgroup/db/runs.sqlite");
        auto spec = longRunSpec(m_model, 2);
        spec["name"] = "cgroup";
        spec["schedule"]["batch_size"] = 256;
        spec["schedule"]["max_length"] = 512;
        QDir().mkpath(caseDir("cgroup"));
        const auto specPath = test::writeJsonFile(caseDir("cgroup/spec.json"), spec);
        auto limited = test::runProcess(
            "sh", {"-c", "echo $$ > \"$0\" && exec \"$@\"", cgroup.dir + "/cgroup.procs",
                   SLIMCTL_PATH, "--db", db, "train", specPath},
            m_home);
        QDir().rmdir(cgroup.dir);
        QCOMPARE(limited.code, 1);
        qInfo("%s", qPrintable(limited.err.split('\n').filter("more than").value(0)));
        QVERIFY2(limited.err.contains("more than the")
                     && limited.err.contains("memory limit of cgroup /"),
                 qPrintable(limited.err));
        checkLeftResumable(db, "cgroup");
    }

    void aDatabaseOnANetworkFileSystemUsesARollbackJournal()
    {
        needMounts();
        if (QTest::currentTestFailed())
            return;
        const auto shared = caseDir("network/shared");
        QCOMPARE(mountFuse(caseDir("network/backing"), shared), QString());
        const auto db = shared + "/runs.sqlite";
        QCOMPARE(store::networkFileSystemOf(db.toStdString()), std::string("fuse"));
        QCOMPARE(store::networkFileSystemOf(caseDir("network/backing").toStdString()), std::string());
        // A whole run recorded there: no WAL, the same weights as on a local disk.
        auto r = slimctl(db, m_home, {"--quiet", "train", writeSpec(caseDir("network"), "network")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QCOMPARE(runNamed(db, "network")->finalWeights, m_reference);
        QCOMPARE(integrityOf(db), std::string("ok"));
        QVERIFY(!QFile::exists(db + "-wal"));
        store::Database check(db.toStdString());
        QCOMPARE(check.queryInt64("SELECT journal_mode = 'delete' FROM pragma_journal_mode"),
                 std::int64_t(1));
    }

    void cleanupTestCase() { unmountAll(); }

    // The window's jobs go through the same path: the job fails with the cause, and resumes.
    void windowJobNamesTheFaultAndResumes()
    {
        needMounts();
        if (QTest::currentTestFailed())
            return;
        const auto dbDir = caseDir("window/db");
        QCOMPARE(mountTmpfs(dbDir, 16 << 20), QString());
        QCOMPARE(mountTmpfs(dbDir + "/runs", 64 << 20), QString());
        const auto db = dbDir + "/runs.sqlite";
        const auto paths = jobs::WorkbenchPaths::resolve(db.toStdString());
        services::MetricStream stream;
        services::JobManager jobs(paths, &stream);
        QSignalSpy finished(&jobs, &services::JobManager::jobFinished);
        auto spec = longRunSpec(m_model, kSteps);
        spec["name"] = "window";
        QString error;
        const auto id = jobs.submitRun(QString::fromStdString(spec.dump()), {}, std::nullopt,
                                       services::JobManager::Placement::Last, &error);
        QVERIFY2(id != 0, qPrintable(error));
        QVERIFY(waitForCheckpoint(db, "window", 10));
        QVERIFY(fillFileSystem(dbDir) > 0);
        QVERIFY(finished.wait(300000));
        auto job = *jobs.job(id);
        QCOMPARE(job.state, services::JobState::Failed);
        qInfo("the window's job: %s", qPrintable(job.message));
        QVERIFY2(job.message.contains("is full") && job.message.contains(db),
                 qPrintable(job.message + "\n" + job.detail));
        QCOMPARE(integrityOf(db), std::string("ok"));
        QVERIFY(QFile::remove(dbDir + "/filler"));
        const auto resumeId = jobs.submitResume(job.runId, &error);
        QVERIFY2(resumeId != 0, qPrintable(error));
        QVERIFY(finished.wait(300000));
        QCOMPARE(jobs.job(resumeId)->state, services::JobState::Succeeded);
        QCOMPARE(runNamed(db, "window")->finalWeights, m_reference);
        QCOMPARE(integrityOf(db), std::string("ok"));
    }
};

} // namespace

int main(int argc, char **argv)
{
    enterPrivateMountNamespace(argc, argv);
    QCoreApplication app(argc, argv);
    TestFaults test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_faults_slow.moc"
