// JobManager with real runs on a tiny real model: a job starts, reports progress, streams live
// rows, is recorded; one heavy job at a time; cancel (running and queued); resume; bad specs.
#include "fixture_store.h"
#include "job_manager.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace slim;
using namespace slim::services;

class TestJobManager : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_model;
    jobs::WorkbenchPaths m_paths;

    QString spec(const std::string &method, int steps) const
    {
        return QString::fromStdString(testing::tinySpecJson(m_model, method, steps));
    }

    store::RunRecord run(std::int64_t id) const
    {
        store::RunStore db(m_paths.database.string());
        return *db.getRun(id);
    }

    static JobInfo waitFinished(JobManager &jobs, quint64 id, QSignalSpy &finished)
    {
        for (int i = 0; i < 600; ++i) {
            if (auto job = jobs.job(id); job && isFinished(job->state))
                return *job;
            finished.wait(1000);
        }
        return {};
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        qputenv("XDG_DATA_HOME", m_dir.filePath(QStringLiteral("home")).toUtf8());
        m_model = m_dir.filePath(QStringLiteral("tiny-model"));
        QString error;
        QVERIFY2(testing::makeTinyModel(m_model, &error), qPrintable(error));
        m_paths = jobs::WorkbenchPaths::resolve(m_dir.filePath(QStringLiteral("runs.sqlite")).toStdString());
    }

    void runsRecordsAndStreams()
    {
        MetricStream stream;
        JobManager jobs(m_paths, &stream);
        QSignalSpy changed(&jobs, &JobManager::jobChanged);
        QSignalSpy finished(&jobs, &JobManager::jobFinished);
        QString error;
        const auto id = jobs.submitRun(spec("slim", 6), {QStringLiteral("t")}, std::nullopt,
                                       JobManager::Placement::Last, &error);
        QVERIFY2(id, qPrintable(error));
        QTRY_VERIFY(jobs.job(id)->runId != 0); // recorded on the manager's store thread
        const auto runId = jobs.job(id)->runId;
        const auto subscription = stream.subscribe(runId);
        QVERIFY(!store::isTerminal(run(runId).status));

        const auto done = waitFinished(jobs, id, finished);
        QCOMPARE(jobStateName(done.state), QStringLiteral("succeeded"));
        bool sawTrainProgress = false;
        for (const auto &args : changed) {
            const auto info = args.at(0).value<JobInfo>();
            sawTrainProgress |= info.phase == QStringLiteral("train") && info.done > 0
                                && info.total == 6;
        }
        QVERIFY(sawTrainProgress);
        QCOMPARE(run(runId).status, store::RunStatus::Succeeded);
        QCOMPARE(run(runId).tags, std::vector<std::string>{"t"});

        const auto live = stream.drain(subscription);
        QVERIFY(std::any_of(live.metrics.begin(), live.metrics.end(),
                            [](const auto &m) { return m.name == "loss/lm"; }));
        QVERIFY(!live.routingExperts.empty()); // SLIM routes
        QVERIFY(!live.clusterCentres.empty());
        QVERIFY(!live.evals.empty());
        QVERIFY(stream.drain(subscription).empty()); // drained means gone
    }

    void oneHeavyJobAtATimeAndCancel()
    {
        MetricStream stream;
        JobManager jobs(m_paths, &stream);
        QSignalSpy changed(&jobs, &JobManager::jobChanged);
        QSignalSpy finished(&jobs, &JobManager::jobFinished);
        const auto first = jobs.submitRun(spec("lora", 400), {}, std::nullopt,
                                          JobManager::Placement::Last);
        const auto second = jobs.submitRun(spec("lora", 4), {}, std::nullopt,
                                           JobManager::Placement::Last);
        QVERIFY(first && second);
        QTRY_VERIFY_WITH_TIMEOUT(jobs.job(first)->phase == QStringLiteral("train")
                                     && jobs.job(first)->done >= 3, 240000);
        QCOMPARE(jobs.job(second)->state, JobState::Queued);

        jobs.requestCancel(second); // queued: dropped, its run cancelled
        QCOMPARE(jobs.job(second)->state, JobState::Cancelled);
        // Recorded on the manager's store thread, not on this one.
        QTRY_COMPARE(run(jobs.job(second)->runId).status, store::RunStatus::Cancelled);

        jobs.requestCancel(first); // running: stops at the next step, keeps its checkpoint
        const auto done = waitFinished(jobs, first, finished);
        QCOMPARE(done.state, JobState::Cancelled);
        const auto runId = done.runId;
        QCOMPARE(run(runId).status, store::RunStatus::Cancelled);
        store::RunStore db(m_paths.database.string());
        QVERIFY(db.latestCheckpoint(runId).has_value());
        QVERIFY(run(runId).currentStep < 400);
    }

    void resumesACancelledRun()
    {
        MetricStream stream;
        JobManager jobs(m_paths, &stream);
        QSignalSpy finished(&jobs, &JobManager::jobFinished);
        // Long enough that the poll below sees it training before it finishes on a fast machine.
        const auto first = jobs.submitRun(spec("lora", 300), {}, std::nullopt,
                                          JobManager::Placement::Last);
        QTRY_VERIFY_WITH_TIMEOUT(jobs.job(first)->phase == QStringLiteral("train")
                                     && jobs.job(first)->done >= 2, 240000);
        jobs.requestCancel(first);
        const auto runId = waitFinished(jobs, first, finished).runId;
        QCOMPARE(run(runId).status, store::RunStatus::Cancelled);

        QString error;
        const auto resumed = jobs.submitResume(runId, &error);
        QVERIFY2(resumed, qPrintable(error));
        QCOMPARE(waitFinished(jobs, resumed, finished).state, JobState::Succeeded);
        QCOMPARE(run(runId).status, store::RunStatus::Succeeded);
        QCOMPARE(run(runId).currentStep, std::int64_t(300));
        // Finished runs are not resumed: the store thread refuses, the job fails saying why.
        const auto again = jobs.submitResume(runId, &error);
        QVERIFY(again);
        const auto refused = waitFinished(jobs, again, finished);
        QCOMPARE(refused.state, JobState::Failed);
        QVERIFY2(refused.message.contains(QStringLiteral("already finished")),
                 qPrintable(refused.message));
        // A run with a job in this window is refused at once.
        const auto rerun = jobs.submitRun(spec("lora", 300), {}, std::nullopt,
                                          JobManager::Placement::Last);
        QTRY_VERIFY(jobs.job(rerun)->runId != 0);
        QVERIFY(!jobs.submitResume(jobs.job(rerun)->runId, &error));
        QVERIFY(error.contains(QStringLiteral("already has a job")));
        jobs.requestCancel(rerun);
    }

    QString sweep(const QString &name, int steps) const
    {
        auto base = QJsonDocument::fromJson(spec("lora", steps).toUtf8()).object();
        base.remove(QStringLiteral("name"));
        QJsonObject document {{"name", name}, {"base", base},
                              {"axes", QJsonObject {{"seed", QJsonArray {1, 2, 3}}}}};
        return QString::fromUtf8(QJsonDocument(document).toJson());
    }

    std::vector<store::RunSummary> sweepRuns(const QString &name) const
    {
        store::RunStore db(m_paths.database.string());
        const auto found = db.findSweeps(name.toStdString());
        if (found.size() != 1)
            return {};
        store::RunFilter filter;
        filter.sweepId = found.front().id;
        return db.listRuns(filter);
    }

    void aSweepRunsEachRunOnceAndContinuesWhenQueuedAgain()
    {
        MetricStream stream;
        JobManager jobs(m_paths, &stream);
        QSignalSpy finished(&jobs, &JobManager::jobFinished);
        QString error;
        const auto ids = jobs.submitSweep(sweep("seeds", 4), JobManager::Placement::Last, &error);
        QVERIFY2(ids.size() == 3, qPrintable(error));
        for (const auto id : ids)
            QCOMPARE(waitFinished(jobs, id, finished).state, JobState::Succeeded);
        const auto runs = sweepRuns("seeds");
        QCOMPARE(runs.size(), std::size_t(3));
        for (std::size_t i = 0; i < runs.size(); ++i) {
            QCOMPARE(runs[i].sweepIndex, std::optional<std::int64_t>(std::int64_t(i)));
            QCOMPARE(runs[i].status, store::RunStatus::Succeeded);
            QCOMPARE(runs[i].sweepName, std::string("seeds"));
            QCOMPARE(jobs.job(ids[i])->runId, runs[i].id);
        }
        // The same sweep again: nothing runs twice.
        const auto again = jobs.submitSweep(sweep("seeds", 4), JobManager::Placement::Next);
        QCOMPARE(again.size(), std::size_t(3));
        for (const auto id : again) {
            const auto job = waitFinished(jobs, id, finished);
            QCOMPARE(job.state, JobState::Succeeded);
            QCOMPARE(job.message, QStringLiteral("already finished"));
        }
        QCOMPARE(sweepRuns("seeds").size(), std::size_t(3));
        // An invalid sweep is refused at once, naming its problem.
        auto bad = QJsonDocument::fromJson(sweep("bad", 4).toUtf8()).object();
        bad[QStringLiteral("axes")] = QJsonObject {{"schedule.lr", QJsonArray {0.001, -1}}};
        QVERIFY(jobs.submitSweep(QString::fromUtf8(QJsonDocument(bad).toJson()),
                                 JobManager::Placement::Last, &error)
                    .empty());
        QVERIFY2(error.contains(QStringLiteral("lr=-1")), qPrintable(error));
    }

    void cancellingASweepStopsAllOfItAndQueueingItAgainResumes()
    {
        MetricStream stream;
        JobManager jobs(m_paths, &stream);
        QSignalSpy finished(&jobs, &JobManager::jobFinished);
        const auto ids = jobs.submitSweep(sweep("long", 300), JobManager::Placement::Last);
        QCOMPARE(ids.size(), std::size_t(3));
        QTRY_VERIFY_WITH_TIMEOUT(jobs.job(ids[0])->phase == QStringLiteral("train")
                                     && jobs.job(ids[0])->done >= 2, 240000);
        jobs.cancelSweep(jobs.job(ids[0])->sweepUuid);
        for (const auto id : ids)
            QCOMPARE(waitFinished(jobs, id, finished).state, JobState::Cancelled);
        for (const auto &run : sweepRuns("long"))
            QCOMPARE(run.status, store::RunStatus::Cancelled);
        // Queued again: the started run resumes, the others start.
        const auto again = jobs.submitSweep(sweep("long", 300), JobManager::Placement::Last);
        QTRY_VERIFY_WITH_TIMEOUT(jobs.job(again[0])->state == JobState::Running, 60000);
        QCOMPARE(jobs.job(again[0])->kind, JobKind::Resume);
        jobs.cancelSweep(jobs.job(again[0])->sweepUuid);
        for (const auto id : again)
            waitFinished(jobs, id, finished);
    }

    void badSpecIsRefusedWithItsField()
    {
        MetricStream stream;
        JobManager jobs(m_paths, &stream);
        auto json = QJsonDocument::fromJson(spec("lora", 4).toUtf8()).object();
        auto schedule = json[QStringLiteral("schedule")].toObject();
        schedule[QStringLiteral("lr")] = -1;
        json[QStringLiteral("schedule")] = schedule;
        QString error;
        QCOMPARE(jobs.submitRun(QString::fromUtf8(QJsonDocument(json).toJson()), {}, std::nullopt,
                                JobManager::Placement::Last, &error),
                 quint64(0));
        QVERIFY2(error.contains(QStringLiteral("schedule.lr")), qPrintable(error));
        QVERIFY(!jobs.submitRun(QStringLiteral("{not json"), {}, std::nullopt,
                                JobManager::Placement::Last, &error));
        QVERIFY(error.contains(QStringLiteral("JSON")));
        QVERIFY(jobs.jobs().empty());
    }

    void shutdownCancelsRunningJobs()
    {
        MetricStream stream;
        std::int64_t runId = 0;
        {
            JobManager jobs(m_paths, &stream);
            const auto id = jobs.submitRun(spec("lora", 400), {}, std::nullopt,
                                           JobManager::Placement::Last);
            QTRY_VERIFY_WITH_TIMEOUT(jobs.job(id)->done >= 2, 240000);
            runId = jobs.job(id)->runId;
        } // the destructor asks every job to stop and waits
        QCOMPARE(run(runId).status, store::RunStatus::Cancelled);
    }
};

QTEST_GUILESS_MAIN(TestJobManager)
#include "tst_job_manager_slow.moc"
