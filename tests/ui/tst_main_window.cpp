// The window as a user meets it, on a fixture database: runs listed, welcome page with the
// demo on an empty database, run and compare documents, shortcuts, closing with a job running,
// and a remembered layout.
#include "compare/compare_view.h"
#include "fixture_store.h"
#include "forms/new_run_dialog.h"
#include "jobs/jobs_view.h"
#include "main/main_window.h"
#include "runs/runs_view.h"
#include "runview/run_view.h"

#include <QDockWidget>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

using namespace slim;
using namespace slim::services;

class TestMainWindow : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    struct Session
    {
        explicit Session(const QString &db)
            : paths(jobs::WorkbenchPaths::resolve(db.toStdString()))
            , jobs(paths, &stream)
            , catalog(db)
            , window(&catalog, &jobs, &stream)
        {}
        jobs::WorkbenchPaths paths;
        MetricStream stream;
        JobManager jobs;
        RunCatalog catalog;
        ui::MainWindow window;
    };

    QString freshDb(const QString &name) const { return m_dir.filePath(name + QStringLiteral(".sqlite")); }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("slim-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_main_window"));
        QSettings().clear();
        qputenv("XDG_DATA_HOME", m_dir.filePath(QStringLiteral("home")).toUtf8());
    }

    void emptyDatabaseShowsTheDemoOneClickAway()
    {
        Session s(freshDb(QStringLiteral("empty")));
        s.window.show();
        auto *welcome = s.window.findChild<QWidget *>(QStringLiteral("welcome"));
        QVERIFY(welcome);
        QTRY_VERIFY(welcome->isVisible());
        QVERIFY(s.window.findChild<QPushButton *>(QStringLiteral("runDemoButton")));
    }

    void listsRunsAndOpensDocuments()
    {
        const auto db = freshDb(QStringLiteral("fixture"));
        const auto runs = testing::writeFixtureStore(db.toStdString());
        Session s(db);
        s.window.show();
        auto *table = s.window.runsView()->findChild<QTableView *>();
        QVERIFY(table);
        QTRY_COMPARE(table->model()->rowCount(), 4);
        QVERIFY(!s.window.findChild<QWidget *>(QStringLiteral("welcome"))->isVisible());

        auto *view = s.window.openRun(runs[0].id);
        QCOMPARE(s.window.documents()->count(), 2);
        QTRY_COMPARE(s.window.documents()->tabText(1), QStringLiteral("slim fixture"));
        QCOMPARE(view->runId(), runs[0].id);
        QCOMPARE(s.window.openRun(runs[0].id), view); // focuses, does not duplicate
        QCOMPARE(s.window.documents()->count(), 2);

        auto *compare = s.window.compareRuns({runs[0].id, runs[1].id});
        QVERIFY(compare);
        QCOMPARE(s.window.documents()->count(), 3);
        QCOMPARE(s.window.documentAt(s.window.documents()->currentIndex()), compare);

        // Ctrl+W closes the current document; the Runs page stays.
        s.window.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&s.window));
        QTest::keyClick(&s.window, Qt::Key_W, Qt::ControlModifier);
        QCOMPARE(s.window.documents()->count(), 2);
        s.window.documents()->setCurrentIndex(0);
        QTest::keyClick(&s.window, Qt::Key_W, Qt::ControlModifier);
        QCOMPARE(s.window.documents()->count(), 2);
    }

    void fitsOnA1366x768Screen()
    {
        const auto db = freshDb(QStringLiteral("small-screen"));
        const auto runs = testing::writeFixtureStore(db.toStdString());
        Session s(db);
        s.window.show();
        auto *view = s.window.openRun(runs[0].id);
        QTRY_VERIFY(view->runId() == runs[0].id && s.window.documents()->tabText(1) != QStringLiteral("Run 1"));
        s.window.compareRuns({runs[0].id, runs[1].id});
        // 768 pixels minus a title bar and a panel: every document must fit in 720.
        for (int i = 0; i < s.window.documents()->count(); ++i) {
            s.window.documents()->setCurrentIndex(i);
            const auto hint = s.window.minimumSizeHint();
            const auto reason = QStringLiteral("tab %1: minimum %2x%3, central %4, jobs %5")
                                    .arg(i).arg(hint.width()).arg(hint.height())
                                    .arg(s.window.documentAt(i)->minimumSizeHint().height())
                                    .arg(s.window.jobsView()->minimumSizeHint().height());
            QVERIFY2(hint.height() <= 720 && hint.width() <= 1366, qPrintable(reason));
        }
        // At that size the open document, not the Jobs dock, gets most of the height.
        s.window.resize(1366, 720);
        QTRY_VERIFY(s.window.documents()->height() > 2 * s.window.jobsView()->height());
    }

    void newRunShortcutOpensTheForm()
    {
        Session s(freshDb(QStringLiteral("shortcut")));
        s.window.show();
        s.window.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&s.window));
        QTest::keyClick(&s.window, Qt::Key_N, Qt::ControlModifier);
        QTRY_VERIFY(s.window.findChild<ui::NewRunDialog *>());
    }

    void closingWithARunningJobAsksThenCancels()
    {
        QString error;
        const auto model = m_dir.filePath(QStringLiteral("tiny-model"));
        QVERIFY2(testing::makeTinyModel(model, &error), qPrintable(error));
        Session s(freshDb(QStringLiteral("closing")));
        s.window.show();
        const auto id = s.jobs.submitRun(QString::fromStdString(testing::tinySpecJson(model, "lora", 400)),
                                         {}, std::nullopt, JobManager::Placement::Next, &error);
        QVERIFY2(id, qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(s.jobs.job(id)->done >= 1, 240000);

        int asked = 0;
        s.window.setCloseConfirmer([&](int active) {
            ++asked;
            return active == 1 && asked > 1; // "no" the first time, "yes" the second
        });
        QVERIFY(!s.window.close());
        QVERIFY(s.window.isVisible());
        QCOMPARE(s.jobs.job(id)->state, JobState::Running);
        QVERIFY(s.window.close());
        QCOMPARE(s.jobs.job(id)->state, JobState::Cancelled);
        store::RunStore check(s.paths.database.string());
        QCOMPARE(check.getRun(s.jobs.job(id)->runId)->status, store::RunStatus::Cancelled);
    }

    void remembersItsLayout()
    {
        const auto db = freshDb(QStringLiteral("layout"));
        {
            Session s(db);
            s.window.show();
            s.window.findChild<QDockWidget *>(QStringLiteral("jobsDock"))->hide();
            s.window.resize(1100, 700);
            QVERIFY(s.window.close());
        }
        Session again(db);
        again.window.show();
        QVERIFY(!again.window.findChild<QDockWidget *>(QStringLiteral("jobsDock"))->isVisible());
        QCOMPARE(again.window.size(), QSize(1100, 700));
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
