// The Runs view on a real fixture database through a real RunCatalog: what the table shows,
// the filters (in SQL), numeric sorting, inline edits that reach the database, delete with
// confirmation, the actions' signals, live updates while slimctl (another process) writes a
// run, and a listing of thousands of runs.
#include "fixture_store.h"
#include "run_catalog.h"
#include "runs/run_table_model.h"
#include "runs/runs_view.h"
#include "test_artifacts.h"

#include <QAction>
#include <QComboBox>
#include <QFile>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <memory>

using namespace slim;
using namespace slim::ui;
using Col = RunTableModel::Column;

class TestRunsView : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_db;
    std::vector<testing::FixtureRun> m_runs;
    std::unique_ptr<services::RunCatalog> m_catalog;
    std::unique_ptr<RunsView> m_view;

    std::int64_t idOf(const std::string &name) const
    {
        for (const auto &run : m_runs) {
            if (run.name == name)
                return run.id;
        }
        return 0;
    }
    QAbstractItemModel *table() const { return m_view->tableView()->model(); }
    int rows() const { return table()->rowCount(); }
    QString cell(int row, int column) const
    {
        return table()->index(row, column).data().toString();
    }
    int rowNamed(const QString &name) const
    {
        for (int row = 0; row < rows(); ++row) {
            if (cell(row, Col::NameColumn) == name)
                return row;
        }
        return -1;
    }
    QStringList names() const
    {
        QStringList list;
        for (int row = 0; row < rows(); ++row)
            list << cell(row, Col::NameColumn);
        return list;
    }
    QStringList sortedNames() const
    {
        auto list = names();
        list.sort();
        return list;
    }
    QStringList column(int column) const
    {
        QStringList list;
        for (int row = 0; row < rows(); ++row)
            list << cell(row, column);
        return list;
    }
    static void choose(QComboBox *combo, const QString &value)
    {
        const int index = combo->findData(value);
        QVERIFY2(index >= 0, qPrintable(value));
        combo->setCurrentIndex(index);
    }

    void openView()
    {
        m_catalog = std::make_unique<services::RunCatalog>(m_db);
        m_catalog->setPollInterval(100);
        m_view = std::make_unique<RunsView>(m_catalog.get());
        m_view->resize(1300, 500);
        m_view->show();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
    }

    void init()
    {
        m_db = m_dir.filePath(QStringLiteral("runs-%1.sqlite").arg(QTest::currentTestFunction()));
        m_runs = testing::writeFixtureStore(m_db.toStdString());
    }

    void cleanup()
    {
        m_view.reset();
        m_catalog.reset();
    }

    void showsEveryRunWithItsScores()
    {
        openView();
        QTRY_COMPARE(rows(), 4);
        QCOMPARE(m_view->findChild<QLabel *>(QStringLiteral("runCount"))->text(),
                 QStringLiteral("4 runs"));

        const int slim = rowNamed(QStringLiteral("slim fixture"));
        QVERIFY(slim >= 0);
        QCOMPARE(cell(slim, Col::MethodColumn), QStringLiteral("slim"));
        QCOMPARE(cell(slim, Col::StatusColumn), QStringLiteral("Succeeded"));
        QCOMPARE(cell(slim, Col::ProgressColumn), QStringLiteral("100%"));
        QCOMPARE(cell(slim, Col::DownstreamColumn), QStringLiteral("80.0"));
        QCOMPARE(cell(slim, Col::GeneralColumn), QStringLiteral("65.0"));
        QCOMPARE(cell(slim, Col::ForgettingColumn), QStringLiteral("5.0"));
        QCOMPARE(cell(slim, Col::TagsColumn), QStringLiteral("demo, slim"));
        QCOMPARE(cell(slim, Col::NotesColumn), QStringLiteral("best so far"));
        QVERIFY(!cell(slim, Col::CreatedColumn).isEmpty());
        QVERIFY(!cell(slim, Col::FinishedColumn).isEmpty());

        const int lora = rowNamed(QStringLiteral("lora fixture"));
        QCOMPARE(cell(lora, Col::DownstreamColumn), QStringLiteral("85.0"));
        QCOMPARE(cell(lora, Col::GeneralColumn), QStringLiteral("45.0"));

        const int failed = rowNamed(QStringLiteral("mixlora fail"));
        QCOMPARE(cell(failed, Col::StatusColumn), QStringLiteral("Failed"));
        QCOMPARE(cell(failed, Col::ProgressColumn), QStringLiteral("10%"));
        QCOMPARE(table()->index(failed, Col::StatusColumn).data(Qt::ToolTipRole).toString(),
                 QStringLiteral("out of memory"));
        const auto red = table()->index(failed, Col::StatusColumn).data(Qt::ForegroundRole);
        QVERIFY(red.isValid());
        QVERIFY(red.value<QBrush>().color().red() > red.value<QBrush>().color().blue());

        const int queued = rowNamed(QStringLiteral("dora queued"));
        QCOMPARE(cell(queued, Col::StatusColumn), QStringLiteral("Queued"));
        QVERIFY(cell(queued, Col::DownstreamColumn).isEmpty()); // no score, not "0.0"
        QVERIFY(cell(queued, Col::FinishedColumn).isEmpty());

        // Newest first until the user sorts.
        QCOMPARE(names().first(), QStringLiteral("dora queued"));
        m_view->selectRuns({idOf("slim fixture"), idOf("lora fixture")});
        QCOMPARE(m_view->findChild<QLabel *>(QStringLiteral("runCount"))->text(),
                 QStringLiteral("4 runs · 2 selected"));
        m_view->grab().save(testing::artifactPath(m_dir, QStringLiteral("runs_view.png")));
    }

    void textFilterMatchesNameMethodTagsAndNotes()
    {
        openView();
        QTRY_COMPARE(rows(), 4);
        auto *search = m_view->findChild<QLineEdit *>(QStringLiteral("runSearch"));
        QTest::keyClicks(search, QStringLiteral("lora"));
        // Substring of the name or method: "lora fixture" and "mixlora fail".
        QTRY_COMPARE(rows(), 2);
        QCOMPARE(sortedNames(), QStringList({"lora fixture", "mixlora fail"}));
        QTest::keyClicks(search, QStringLiteral(" fix"));
        QTRY_COMPARE(rows(), 1);
        QCOMPARE(names(), QStringList({"lora fixture"}));

        search->setText(QStringLiteral("BEST so")); // notes, case-insensitive
        QTRY_COMPARE(names(), QStringList({"slim fixture"}));
        search->clear();
        QTRY_COMPARE(rows(), 4);
    }

    void methodStatusAndTagFilters()
    {
        openView();
        QTRY_COMPARE(rows(), 4);
        auto *method = m_view->findChild<QComboBox *>(QStringLiteral("methodFilter"));
        auto *status = m_view->findChild<QComboBox *>(QStringLiteral("statusFilter"));
        auto *tag = m_view->findChild<QComboBox *>(QStringLiteral("tagFilter"));

        choose(status, QStringLiteral("failed"));
        QTRY_COMPARE(names(), QStringList({"mixlora fail"}));
        QCOMPARE(m_view->findChild<QLabel *>(QStringLiteral("runCount"))->text(),
                 QStringLiteral("1 run"));
        choose(status, QString());
        QTRY_COMPARE(rows(), 4);

        // Every method seen stays selectable while a method filter is on.
        QCOMPARE(method->count(), 5); // Any + dora, lora, mixlora, slim
        choose(method, QStringLiteral("lora"));
        QTRY_COMPARE(names(), QStringList({"lora fixture"}));
        QCOMPARE(method->count(), 5);
        QVERIFY(method->findData(QStringLiteral("slim")) > 0);
        choose(method, QString());
        QTRY_COMPARE(rows(), 4);

        QTRY_VERIFY(tag->findData(QStringLiteral("demo")) > 0);
        choose(tag, QStringLiteral("demo"));
        QTRY_COMPARE(rows(), 2);
        QCOMPARE(sortedNames(), QStringList({"lora fixture", "slim fixture"}));
        choose(tag, QStringLiteral("slim"));
        QTRY_COMPARE(names(), QStringList({"slim fixture"}));
    }

    void sortsScoresNumericallyWithMissingLast()
    {
        {
            // 9.5 % sorts before 80 % only when compared as numbers ("9.5" > "80.0" as text).
            store::RunStore db(m_db.toStdString());
            db.setSummary(idOf("mixlora fail"), 0.095, std::nullopt, std::nullopt);
        }
        openView();
        QTRY_COMPARE(rows(), 4);
        auto *view = m_view->tableView();
        view->sortByColumn(Col::DownstreamColumn, Qt::AscendingOrder);
        QCOMPARE(column(Col::DownstreamColumn), QStringList({"9.5", "80.0", "85.0", ""}));
        view->sortByColumn(Col::DownstreamColumn, Qt::DescendingOrder);
        QCOMPARE(column(Col::DownstreamColumn), QStringList({"85.0", "80.0", "9.5", ""}));
        QCOMPARE(names().first(), QStringLiteral("lora fixture"));
    }

    void inlineEditsOfNotesAndTagsReachTheDatabase()
    {
        openView();
        QTRY_COMPARE(rows(), 4);
        auto *view = m_view->tableView();
        const auto edit = [&](int column, const QString &text) {
            const int row = rowNamed(QStringLiteral("slim fixture"));
            const auto index = table()->index(row, column);
            view->setCurrentIndex(index);
            view->edit(index);
            auto *editor = qobject_cast<QLineEdit *>(view->indexWidget(index));
            QVERIFY(editor);
            QCOMPARE(editor->text(), index.data(Qt::EditRole).toString());
            editor->selectAll();
            QTest::keyClicks(editor, text);
            QTest::keyClick(editor, Qt::Key_Return);
            QTRY_VERIFY(!view->indexWidget(index)); // committed and closed
        };
        edit(Col::NotesColumn, QStringLiteral("diverged after step 80"));
        edit(Col::TagsColumn, QStringLiteral("paper,  demo, paper,"));
        const int row = rowNamed(QStringLiteral("slim fixture"));
        QCOMPARE(cell(row, Col::NotesColumn), QStringLiteral("diverged after step 80"));
        QTRY_COMPARE(cell(row, Col::TagsColumn), QStringLiteral("demo, paper"));

        const auto id = idOf("slim fixture");
        const auto stored = [&] { return store::RunStore(m_db.toStdString()).getRun(id); };
        QTRY_COMPARE(stored()->notes, std::string("diverged after step 80"));
        QTRY_VERIFY(stored()->tags == std::vector<std::string>({"demo", "paper"}));
        // The new tag becomes a filter choice; the removed one is gone from the database.
        auto *tag = m_view->findChild<QComboBox *>(QStringLiteral("tagFilter"));
        QTRY_VERIFY(tag->findData(QStringLiteral("paper")) > 0);
        QTRY_COMPARE(tag->findData(QStringLiteral("slim")), -1);
    }

    void deleteAsksFirst()
    {
        openView();
        QTRY_COMPARE(rows(), 4);
        const auto failed = idOf("mixlora fail");
        QString asked;
        bool answer = false;
        m_view->setDeleteConfirmer([&](const QString &question) {
            asked = question;
            return answer;
        });

        m_view->selectRuns({idOf("dora queued")});
        QVERIFY(!m_view->deleteAction()->isEnabled()); // still waiting for its job

        m_view->selectRuns({failed});
        QCOMPARE(m_view->selectedRunIds(), QList<qint64>({failed}));
        QVERIFY(m_view->deleteAction()->isEnabled());
        m_view->deleteAction()->trigger();
        QVERIFY(asked.contains(QStringLiteral("mixlora fail")));
        // The catalog works through its requests in order: once a later read of the run has
        // come back, a delete sent before it would have been done.
        QSignalSpy loaded(m_catalog.get(), &services::RunCatalog::detailLoaded);
        m_catalog->requestDetail(failed);
        QVERIFY(loaded.wait(10000));
        QVERIFY(store::RunStore(m_db.toStdString()).getRun(failed).has_value());
        QCOMPARE(rows(), 4);

        answer = true;
        QSignalSpy deleted(m_catalog.get(), &services::RunCatalog::runDeleted);
        m_view->deleteAction()->trigger();
        QTRY_COMPARE(rows(), 3);
        QCOMPARE(rowNamed(QStringLiteral("mixlora fail")), -1);
        QCOMPARE(deleted.size(), 1);
        QVERIFY(!store::RunStore(m_db.toStdString()).getRun(failed).has_value());
        QVERIFY(m_view->selectedRunIds().isEmpty());
    }

    void actionsFollowTheSelection()
    {
        openView();
        QTRY_COMPARE(rows(), 4);
        QSignalSpy compared(m_view.get(), &RunsView::compareRequested);
        QSignalSpy resumed(m_view.get(), &RunsView::resumeRequested);
        QSignalSpy activated(m_view.get(), &RunsView::runActivated);
        QSignalSpy selection(m_view.get(), &RunsView::selectionChanged);
        const auto slim = idOf("slim fixture"), lora = idOf("lora fixture");
        const auto failed = idOf("mixlora fail");

        m_view->selectRuns({slim});
        QVERIFY(!m_view->compareAction()->isEnabled());
        QVERIFY(!m_view->resumeAction()->isEnabled()); // succeeded runs have nothing to resume
        m_view->selectRuns({slim, lora});
        QCOMPARE(selection.last().at(0).value<QList<qint64>>().size(), 2);
        QVERIFY(m_view->compareAction()->isEnabled());
        m_view->compareAction()->trigger();
        QCOMPARE(compared.size(), 1);
        auto ids = compared.last().at(0).value<QList<qint64>>();
        std::sort(ids.begin(), ids.end());
        QCOMPARE(ids, QList<qint64>({slim, lora}));

        m_view->selectRuns({failed});
        QVERIFY(m_view->resumeAction()->isEnabled());
        m_view->resumeAction()->trigger();
        QCOMPARE(resumed.size(), 1);
        QCOMPARE(resumed.last().at(0).value<std::int64_t>(), failed);

        // Enter on the current row opens it.
        m_view->tableView()->setFocus();
        QTest::keyClick(m_view->tableView(), Qt::Key_Return);
        QCOMPARE(activated.size(), 1);
        QCOMPARE(activated.last().at(0).value<std::int64_t>(), failed);
    }

    void liveWhileSlimctlWritesARun()
    {
        openView();
        QTRY_COMPARE(rows(), 4);
        const auto slim = idOf("slim fixture");
        m_view->selectRuns({slim});
        QSignalSpy selection(m_view.get(), &RunsView::selectionChanged);

        const QString modelDir = m_dir.filePath(QStringLiteral("tiny-model"));
        QString error;
        QVERIFY2(testing::makeTinyModel(modelDir, &error), qPrintable(error));
        const QString specPath = m_dir.filePath(QStringLiteral("tiny-lora.json"));
        {
            QFile spec(specPath);
            QVERIFY(spec.open(QIODevice::WriteOnly));
            spec.write(QByteArray::fromStdString(testing::tinySpecJson(modelDir, "lora", 2)));
        }
        QProcess slimctl;
        slimctl.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        slimctl.start(QStringLiteral(SLIMCTL_PATH),
                      {QStringLiteral("--db"), m_db, QStringLiteral("--quiet"),
                       QStringLiteral("train"), specPath});
        QVERIFY(slimctl.waitForStarted());

        QTRY_VERIFY_WITH_TIMEOUT(rowNamed(QStringLiteral("tiny lora")) >= 0, 240000);
        QTRY_COMPARE_WITH_TIMEOUT(cell(rowNamed(QStringLiteral("tiny lora")), Col::StatusColumn),
                                  QStringLiteral("Succeeded"), 240000);
        // (waitForFinished is false when the event loop above already saw the process end.)
        QVERIFY(slimctl.state() == QProcess::NotRunning || slimctl.waitForFinished(240000));
        QCOMPARE(slimctl.exitStatus(), QProcess::NormalExit);
        QCOMPARE(slimctl.exitCode(), 0);
        const int row = rowNamed(QStringLiteral("tiny lora"));
        QCOMPARE(cell(row, Col::ProgressColumn), QStringLiteral("100%"));
        QVERIFY(!cell(row, Col::FinishedColumn).isEmpty());
        QCOMPARE(rows(), 5);

        // The refreshes neither lost nor re-announced the user's selection.
        QCOMPARE(m_view->selectedRunIds(), QList<qint64>({slim}));
        QCOMPARE(selection.size(), 0);
        QCOMPARE(m_view->tableView()->currentIndex().data(RunTableModel::RunIdRole).toLongLong(),
                 qint64(slim));
    }

    void listsThousandsOfRuns()
    {
        {
            store::RunStore db(m_db.toStdString());
            testing::addBulkRuns(db, 5000);
        }
        openView();
        QTRY_COMPARE_WITH_TIMEOUT(rows(), 5004, 120000);
        QVERIFY(m_view->findChild<QLabel *>(QStringLiteral("runCount"))
                    ->text()
                    .endsWith(QStringLiteral(" runs")));
        m_view->tableView()->sortByColumn(Col::DownstreamColumn, Qt::DescendingOrder);
        QCOMPARE(names().first(), QStringLiteral("bulk 4999"));
    }

    void headerStateRoundTrips()
    {
        openView();
        auto *header = m_view->tableView()->horizontalHeader();
        header->resizeSection(Col::NotesColumn, 333);
        m_view->tableView()->sortByColumn(Col::NameColumn, Qt::AscendingOrder);
        const auto state = m_view->saveState();

        RunsView other(m_catalog.get());
        QVERIFY(other.restoreState(state));
        auto *restored = other.tableView()->horizontalHeader();
        QCOMPARE(restored->sectionSize(Col::NotesColumn), 333);
        QCOMPARE(restored->sortIndicatorSection(), int(Col::NameColumn));
        QTRY_COMPARE(other.tableView()->model()->rowCount(), 4);
        QCOMPARE(other.tableView()->model()->index(0, Col::NameColumn).data().toString(),
                 QStringLiteral("dora queued"));
    }
};

QTEST_MAIN(TestRunsView)
#include "tst_runs_view.moc"
