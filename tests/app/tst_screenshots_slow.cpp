// Screenshots of every main view of the real window during a short real run, under Xvfb
// (1366x768, the smallest screen the window must fit). Saved to $SLIM_SCREENSHOT_DIR (default
// ./screenshots). Each picture is checked to be a drawn view, not a blank window.
//
// With SLIM_SCREENSHOT_BASE_MODEL=<built-in model folder> the run fine-tunes that model with
// the builtin-slim preset, and with SLIM_SCREENSHOT_DB=<a database> it starts from a copy of
// that database (its cached base scores, its demo runs to compare): the README's pictures. By
// default: a tiny untrained model and the fixture database.
#include "compare/compare_view.h"
#include "fixture_store.h"
#include "forms/new_run_dialog.h"
#include "main/main_window.h"
#include "runview/run_view.h"
#include "spec_service.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QScreen>
#include <QSet>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QtTest>

using namespace slim;
using namespace slim::services;

namespace {

// Distinct colours in a sample of the picture: a blank or unpainted window has a handful.
int distinctColours(const QImage &image)
{
    QSet<QRgb> colours;
    for (int y = 0; y < image.height(); y += 3) {
        for (int x = 0; x < image.width(); x += 3)
            colours.insert(image.pixel(x, y));
    }
    return colours.size();
}

} // namespace

class TestScreenshots : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QDir m_out;

    void save(QWidget *widget, const QString &name)
    {
        QCoreApplication::processEvents();
        const auto image = widget->grab().toImage();
        QVERIFY2(distinctColours(image) > 40, qPrintable(name + QStringLiteral(" looks blank")));
        QVERIFY(image.save(m_out.filePath(name + QStringLiteral(".png"))));
    }

    QString specJson(const QString &model) const
    {
        const auto builtin = qEnvironmentVariable("SLIM_SCREENSHOT_BASE_MODEL");
        if (builtin.isEmpty())
            return QString::fromStdString(testing::tinySpecJson(model, "slim", 60));
        auto spec = presetSpec(QStringLiteral("builtin-slim"));
        spec[QStringLiteral("name")] = QStringLiteral("slim (screenshot)");
        spec[QStringLiteral("base_model")] = builtin;
        auto schedule = spec[QStringLiteral("schedule")].toObject();
        schedule[QStringLiteral("steps")] = 80;
        schedule[QStringLiteral("eval_every")] = 20;
        schedule[QStringLiteral("log_every")] = 2;
        spec[QStringLiteral("schedule")] = schedule;
        return QString::fromUtf8(QJsonDocument(spec).toJson());
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("slim-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_screenshots"));
        qputenv("XDG_DATA_HOME", m_dir.filePath(QStringLiteral("home")).toUtf8());
        const auto out = qEnvironmentVariable("SLIM_SCREENSHOT_DIR", QStringLiteral("screenshots"));
        QDir().mkpath(out);
        m_out = QDir(out);
    }

    void everyMainViewDuringARealRun()
    {
        const auto db = m_dir.filePath(QStringLiteral("runs.sqlite"));
        QList<qint64> compareIds;
        if (const auto source = qEnvironmentVariable("SLIM_SCREENSHOT_DB"); !source.isEmpty()) {
            QVERIFY(QFile::copy(source, db));
            store::RunFilter demo;
            demo.tag = "demo";
            demo.status = store::RunStatus::Succeeded;
            for (const auto &run : store::RunStore(db.toStdString()).listRuns(demo))
                compareIds << run.id;
        } else {
            for (const auto &run : testing::writeFixtureStore(db.toStdString()))
                if (run.status == store::RunStatus::Succeeded)
                    compareIds << run.id;
        }
        const auto model = m_dir.filePath(QStringLiteral("tiny-model"));
        QString error;
        QVERIFY2(testing::makeTinyModel(model, &error), qPrintable(error));

        const auto paths = jobs::WorkbenchPaths::resolve(db.toStdString());
        MetricStream stream;
        JobManager jobs(paths, &stream);
        RunCatalog catalog(db);
        ui::MainWindow window(&catalog, &jobs, &stream);
        window.resize(1366, 768);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));

        const auto jobId = jobs.submitRun(specJson(model), {QStringLiteral("screenshot")},
                                          std::nullopt, JobManager::Placement::Next, &error);
        QVERIFY2(jobId, qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(jobs.job(jobId)->phase == QStringLiteral("train")
                                     && jobs.job(jobId)->done >= 10, 300000);
        const auto runId = jobs.job(jobId)->runId;
        save(&window, QStringLiteral("runs"));

        auto *view = window.openRun(runId);
        auto *tabs = view->findChild<QTabWidget *>();
        QVERIFY(tabs);
        // Live: wait for a routing report to reach the view (the first evaluation).
        QTRY_VERIFY_WITH_TIMEOUT(jobs.job(jobId)->done >= 30, 300000);
        QTest::qWait(300); // let the 40 ms drain timer plot what arrived
        const QStringList names{QStringLiteral("run-curves"), QStringLiteral("run-routing"),
                                QStringLiteral("run-clusters"), QStringLiteral("run-forgetting"),
                                QStringLiteral("run-details")};
        for (int i = 0; i < tabs->count() && i < names.size(); ++i) {
            tabs->setCurrentIndex(i);
            save(&window, names[i]);
        }

        // The job may have finished while the tabs were saved: wait on its state, not a signal.
        QTRY_VERIFY_WITH_TIMEOUT(isFinished(jobs.job(jobId)->state), 600000);
        QCOMPARE(jobs.job(jobId)->state, JobState::Succeeded);
        tabs->setCurrentIndex(3);
        QTest::qWait(500);
        save(&window, QStringLiteral("run-forgetting-final"));

        compareIds << runId;
        auto *compare = window.compareRuns(compareIds);
        QTRY_VERIFY_WITH_TIMEOUT(compare->findChildren<QWidget *>().size() > 5, 10000);
        QTest::qWait(500);
        save(&window, QStringLiteral("compare"));

        window.newRun();
        auto *dialog = window.findChild<ui::NewRunDialog *>();
        QTRY_VERIFY(dialog && dialog->isVisible());
        QVERIFY(dialog->selectPreset(QStringLiteral("builtin-slim")));
        save(dialog, QStringLiteral("new-run"));
        dialog->reject();
    }
};

QTEST_MAIN(TestScreenshots)
#include "tst_screenshots_slow.moc"
