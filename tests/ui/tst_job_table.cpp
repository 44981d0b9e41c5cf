// The Jobs dock's table as a user reads it: state with the running phase, progress counts,
// rate and ETA while running; after the end, progress that does not contradict the outcome.
// Rows come from a real JobManager's jobChanged signal. A job's state has its run's status
// colour, as in the Runs table.
#include "common/status_style.h"
#include "jobs/job_table_model.h"

#include <QBrush>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

using namespace slim;
using namespace slim::services;

class TestJobTable : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    static QString text(const ui::JobTableModel &model, int column)
    {
        return model.data(model.index(0, column), Qt::DisplayRole).toString();
    }
    static double bar(const ui::JobTableModel &model)
    {
        return model.data(model.index(0, ui::JobTableModel::Progress), Qt::EditRole).toDouble();
    }

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void runningThenFinishedRowsReadConsistently()
    {
        const auto paths = jobs::WorkbenchPaths::resolve(
            m_dir.filePath(QStringLiteral("runs.sqlite")).toStdString());
        MetricStream stream;
        JobManager manager(paths, &stream);
        ui::JobTableModel model(&manager);

        JobInfo info;
        info.id = 7;
        info.runId = 3;
        info.title = QStringLiteral("slim-mds");
        info.state = JobState::Running;
        info.phase = QStringLiteral("train");
        info.done = 40;
        info.total = 80;
        info.rate = 5230;
        info.rateUnit = QStringLiteral("tok/s");
        info.etaSeconds = 125;
        Q_EMIT manager.jobChanged(info);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(text(model, ui::JobTableModel::Title), QStringLiteral("slim-mds (run 3)"));
        QCOMPARE(text(model, ui::JobTableModel::State), QStringLiteral("running: train"));
        QCOMPARE(text(model, ui::JobTableModel::Progress), QStringLiteral("40 / 80"));
        QCOMPARE(bar(model), 0.5);
        QCOMPARE(text(model, ui::JobTableModel::Rate), QStringLiteral("5230 tok/s"));
        QCOMPARE(text(model, ui::JobTableModel::Eta), QStringLiteral("2m05s"));

        // The last phase was the final evaluation: its item counts must not read as the run's.
        info.phase = QStringLiteral("final eval: capitals (5/5)");
        info.done = info.total = 400;
        info.state = JobState::Succeeded;
        info.message = QStringLiteral("finished 80 steps");
        Q_EMIT manager.jobChanged(info);
        QCOMPARE(model.rowCount(), 1); // the same job, updated in place
        QCOMPARE(text(model, ui::JobTableModel::State), QStringLiteral("succeeded"));
        QCOMPARE(text(model, ui::JobTableModel::Progress), QStringLiteral("complete"));
        QCOMPARE(bar(model), 1.0);
        QVERIFY(text(model, ui::JobTableModel::Rate).isEmpty());
        QVERIFY(text(model, ui::JobTableModel::Eta).isEmpty());

        // A cancelled job says where it stopped.
        info.id = 8;
        info.state = JobState::Cancelled;
        info.phase = QStringLiteral("train");
        info.done = 12;
        info.total = 80;
        Q_EMIT manager.jobChanged(info);
        QCOMPARE(model.rowCount(), 2);
        const int row = model.rowOf(8);
        QVERIFY(row >= 0);
        QCOMPARE(model.data(model.index(row, ui::JobTableModel::Progress), Qt::DisplayRole)
                     .toString(),
                 QStringLiteral("12 / 80 (train)"));
        const auto colour
            = model.data(model.index(row, ui::JobTableModel::State), Qt::ForegroundRole)
                  .value<QBrush>()
                  .color();
        QCOMPARE(colour, ui::statusColour(store::RunStatus::Cancelled));
        QVERIFY(colour != ui::statusColour(store::RunStatus::Succeeded));
    }
};

QTEST_MAIN(TestJobTable)
#include "tst_job_table.moc"
