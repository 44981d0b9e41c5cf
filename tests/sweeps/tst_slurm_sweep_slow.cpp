// A sweep on a real one-node Slurm cluster (slurm_cluster.h): `slimctl sweep submit --slurm`
// submits one job array of the built-in model's runs, `slimctl sweep status` follows it from
// squeue, `slimctl import` merges the task databases (every row, the same scores; twice changes
// nothing), and a cancelled task resubmitted with `slimctl sweep resubmit` resumes from its
// checkpoint to the same weights as a run never interrupted.
#include "slimctl_process.h"
#include "slurm_cluster.h"

#include "store/run_store.h"
#include "store/statement.h"
#include "store_test_support.h"

#include <QDir>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTest>

using nlohmann::json;
using namespace slim;

namespace {

json tinySweep(const std::string &name, int steps, json axes)
{
    return {{"name", name},
            {"base",
             {{"base_model", "builtin"},
              {"seed", 3},
              {"adapter", {{"method", "lora"}, {"lora_rank", 2}}},
              {"data", {{"setting", "mds"}, {"tasks", {"name_gender", "word_class"}},
                        {"train_examples_per_task", 32}}},
              {"schedule", {{"steps", steps}, {"batch_size", 4}, {"lr", 0.001}, {"log_every", 1},
                            {"checkpoint_every", 10}, {"eval_every", 0}, {"max_length", 48}}},
              {"eval", {{"general_tasks", {"capitals"}}, {"probe_items", 4}, {"batch_size", 8},
                        {"final_full", false}}}}},
            {"axes", axes}};
}

std::int64_t rowsOf(store::Database &db, const std::string &table, std::int64_t runId)
{
    return db.queryInt64("SELECT count(*) FROM " + table + " WHERE run_id = "
                         + std::to_string(runId));
}

store::RunStore readOnly(const QString &path)
{
    store::Database::Options options;
    options.readOnly = true;
    options.create = false;
    return store::RunStore(store::Database(path.toStdString(), options));
}

} // namespace

class TestSlurmSweep : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    slim::test::SlurmCluster m_cluster;

    QString home() const { return m_dir.filePath("home"); }
    QString mainDb() const { return m_dir.filePath("main.sqlite"); }

    // slimctl (and through sbatch every task) with one engine thread: two tasks share the two
    // cores.
    slim::test::ProcessResult oneThread(const QString &program, const QStringList &args,
                                  int timeoutMs = 600000) const
    {
        QProcess p;
        auto env = slim::test::testEnvironment(home());
        env.insert("OMP_NUM_THREADS", "1");
        p.setProcessEnvironment(env);
        p.start(program, args);
        if (!p.waitForFinished(timeoutMs))
            p.kill();
        return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()),
                QString::fromUtf8(p.readAllStandardError())};
    }

    slim::test::ProcessResult slimctl(const QStringList &args, int timeoutMs = 600000) const
    {
        return oneThread(SLIMCTL_PATH, QStringList {"--db", mainDb()} + args, timeoutMs);
    }

    // Polls `sweep status` until no task is pending or running; returns the last status.
    json waitForSweep(const QString &sweep, int timeoutSeconds = 900)
    {
        QElapsedTimer timer;
        timer.start();
        json status;
        while (timer.elapsed() < timeoutSeconds * 1000) {
            const auto r = slimctl({"--json", "sweep", "status", sweep});
            if (r.code != 0) {
                qWarning("%s", qPrintable(r.err));
                return {};
            }
            status = json::parse(r.out.toStdString());
            bool active = false;
            for (const auto &run : status["runs"]) {
                const auto state = run["slurm_state"].get<std::string>();
                active = active || state.empty() || state == "PENDING" || state == "RUNNING"
                         || state == "COMPLETING" || state == "CONFIGURING";
            }
            if (!active)
                return status;
            QTest::qWait(2000);
        }
        qWarning("the sweep did not end within %d s", timeoutSeconds);
        return status;
    }

    QStringList taskDatabases(const json &status) const
    {
        QStringList files;
        for (std::size_t i = 0; i < status["runs"].size(); ++i)
            files << QString::fromStdString(status["sweep"]["folder"].get<std::string>())
                         + "/tasks/task-" + QString::number(i) + ".sqlite";
        return files;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QDir().mkpath(home());
        const auto problem = m_cluster.start(m_dir.filePath("slurm"));
        if (!problem.isEmpty())
            QFAIL(qPrintable("cannot start the test's Slurm cluster: " + problem));
    }

    void cleanupTestCase() { m_cluster.stop(); }

    void aSweepRunsAsAJobArrayAndMergesBack()
    {
        const auto spec = slim::test::writeJsonFile(
            m_dir.filePath("grid.json"),
            tinySweep("grid", 8, {{"seed", {1, 2}}, {"method", {"lora", "slim"}}}));
        const auto submit = slimctl({"sweep", "submit", spec, "--slurm", "--max-parallel", "2",
                                     "--time", "15:00"});
        QVERIFY2(submit.code == 0, qPrintable(submit.err + submit.out));
        QVERIFY2(submit.out.contains("submitted 4 of 4 runs as Slurm job"), qPrintable(submit.out));
        QVERIFY2(submit.out.contains("--array=0-3%2"), qPrintable(submit.out));

        const auto status = waitForSweep("grid");
        QVERIFY(!status.empty());
        for (const auto &run : status["runs"])
            QVERIFY2(run["slurm_state"] == "COMPLETED" && run["task_status"] == "succeeded",
                     qPrintable(QString::fromStdString(status.dump(2)) + m_cluster.logs()));
        // Nothing is in the main database until it is merged.
        QVERIFY(status["runs"][0]["run_id"].is_null());

        const auto files = taskDatabases(status);
        const auto merge = slimctl(QStringList {"import"} + files);
        QVERIFY2(merge.code == 0, qPrintable(merge.err + merge.out));
        QVERIFY2(merge.out.contains("4 runs added, 0 replaced, 0 unchanged"), qPrintable(merge.out));

        store::RunStore main(mainDb().toStdString());
        store::Statement integrity(main.database(), "PRAGMA integrity_check");
        QVERIFY(integrity.step());
        QCOMPARE(integrity.columnText(0), std::string("ok"));
        integrity.reset();
        const auto sweeps = main.listSweeps();
        QCOMPARE(sweeps.size(), std::size_t(1));
        store::RunFilter filter;
        filter.sweepId = sweeps[0].id;
        const auto runs = main.listRuns(filter);
        QCOMPARE(runs.size(), std::size_t(4));
        for (std::size_t i = 0; i < runs.size(); ++i) {
            QCOMPARE(runs[i].sweepIndex, std::optional<std::int64_t>(std::int64_t(i)));
            QCOMPARE(runs[i].status, store::RunStatus::Succeeded);
            auto task = readOnly(files[int(i)]);
            const auto taskId = *task.findRunByUuid(runs[i].uuid);
            const auto taskRun = task.getRun(taskId);
            // The same scores and the same rows as the task database.
            QCOMPARE(runs[i].downstreamAvg, taskRun->downstreamAvg);
            QCOMPARE(runs[i].generalAvg, taskRun->generalAvg);
            QCOMPARE(runs[i].forgettingAvg, taskRun->forgettingAvg);
            for (const char *table : {"metrics", "eval_results", "routing_layer_stats",
                                      "routing_expert_stats", "cluster_layer_stats",
                                      "cluster_centres", "checkpoints", "artifacts"})
                QCOMPARE(rowsOf(main.database(), table, runs[i].id),
                         rowsOf(task.database(), table, taskId));
            QVERIFY(rowsOf(main.database(), "metrics", runs[i].id) > 0);
            QVERIFY(rowsOf(main.database(), "eval_results", runs[i].id) > 0);
            if (runs[i].method == "slim")
                QVERIFY(rowsOf(main.database(), "routing_expert_stats", runs[i].id) > 0);
        }

        // Importing again changes nothing.
        const auto before = store::test::wholeDatabase(main.database());
        const auto again = slimctl(QStringList {"import"} + files);
        QVERIFY2(again.code == 0, qPrintable(again.err));
        QVERIFY2(again.out.contains("0 runs added, 0 replaced, 4 unchanged"), qPrintable(again.out));
        QCOMPARE(store::test::wholeDatabase(main.database()), before);

        const auto merged = slimctl({"--json", "sweep", "status", "grid"});
        const auto mergedStatus = json::parse(merged.out.toStdString());
        for (const auto &run : mergedStatus["runs"])
            QVERIFY(run["status"] == "succeeded");
    }

    void aCancelledTaskResumesWhenResubmitted()
    {
        const auto spec = slim::test::writeJsonFile(
            m_dir.filePath("long.json"), tinySweep("long", 60, {{"seed", {5}}}));
        const auto submit = slimctl({"sweep", "submit", spec, "--slurm"});
        QVERIFY2(submit.code == 0, qPrintable(submit.err + submit.out));
        const auto jobId = submit.out.section("Slurm job ", 1).section(' ', 0, 0);
        QVERIFY(!jobId.isEmpty());
        // Once the task has a checkpoint, cancel it (Slurm sends SIGTERM, then SIGKILL).
        const auto folder = QString::fromStdString(
            json::parse(slimctl({"--json", "sweep", "status", "long"}).out.toStdString())["sweep"]
                       ["folder"]
                .get<std::string>());
        const auto taskDb = folder + "/tasks/task-0.sqlite";
        QElapsedTimer timer;
        timer.start();
        std::int64_t checkpoints = 0;
        while (checkpoints == 0 && timer.elapsed() < 600000) {
            QTest::qWait(500);
            if (!QFile::exists(taskDb))
                continue;
            try {
                auto task = readOnly(taskDb);
                checkpoints = task.database().queryInt64("SELECT count(*) FROM checkpoints");
            } catch (const std::exception &) {
            }
        }
        QVERIFY2(checkpoints > 0, "the task wrote no checkpoint");
        QVERIFY(oneThread("scancel", {jobId + "_0"}).code == 0);
        const auto cancelled = waitForSweep("long");
        QVERIFY2(cancelled["runs"][0]["slurm_state"] == "CANCELLED",
                 qPrintable(QString::fromStdString(cancelled.dump(2))));
        QVERIFY(cancelled["runs"][0]["task_status"] != "succeeded");

        const auto resubmit = slimctl({"sweep", "resubmit", "long"});
        QVERIFY2(resubmit.code == 0, qPrintable(resubmit.err + resubmit.out));
        QVERIFY2(resubmit.out.contains("submitted 1 of 1 runs"), qPrintable(resubmit.out));
        const auto done = waitForSweep("long");
        QVERIFY2(done["runs"][0]["slurm_state"] == "COMPLETED"
                     && done["runs"][0]["task_status"] == "succeeded",
                 qPrintable(QString::fromStdString(done.dump(2))));
        // The second task resumed the run from its checkpoint (its log says so) ...
        bool resumed = false;
        for (const auto &log : QDir(folder + "/logs").entryList({"task-0-job-*.out"})) {
            QFile file(folder + "/logs/" + log);
            file.open(QIODevice::ReadOnly);
            const auto text = QString::fromUtf8(file.readAll());
            resumed = resumed || (text.contains(": resume") && text.contains("checkpoint"));
        }
        QVERIFY2(resumed, "no task log says it resumed from a checkpoint");
        // ... to the weights of the same run never interrupted.
        auto task = readOnly(taskDb);
        const auto runId = task.listRuns().front().id;
        const auto run = task.getRun(runId);
        const auto plain = slim::test::writeJsonFile(m_dir.filePath("plain.json"),
                                                     json::parse(run->specJson));
        const auto local = oneThread(SLIMCTL_PATH, {"--db", m_dir.filePath("plain.sqlite"), "--quiet",
                                              "train", plain});
        QVERIFY2(local.code == 0, qPrintable(local.err));
        auto plainStore = readOnly(m_dir.filePath("plain.sqlite"));
        const auto got = task.latestCheckpoint(runId);
        const auto want = plainStore.latestCheckpoint(plainStore.listRuns().front().id);
        QVERIFY(got && want);
        QCOMPARE(got->step, std::int64_t(60));
        QCOMPARE(want->step, std::int64_t(60));
        QCOMPARE(got->sha256, want->sha256);
    }
};

QTEST_GUILESS_MAIN(TestSlurmSweep)
#include "tst_slurm_sweep_slow.moc"
