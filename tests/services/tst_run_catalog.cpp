// RunCatalog on a real fixture database: listing, filters, detail (with the base scores the
// forgetting views need), edits, and live updates when another connection writes.
#include "fixture_store.h"
#include "run_catalog.h"
#include "run_scores.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace slim;
using namespace slim::services;

class TestRunCatalog : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_db;
    std::vector<testing::FixtureRun> m_runs;

    static RunSummaries lastRuns(QSignalSpy &spy)
    {
        return spy.last().at(0).value<RunSummaries>();
    }

private Q_SLOTS:
    void init()
    {
        m_db = m_dir.filePath(QStringLiteral("runs-%1.sqlite").arg(QTest::currentTestFunction()));
        m_runs = testing::writeFixtureStore(m_db.toStdString());
    }

    void listsEveryRunAndFilters()
    {
        RunCatalog catalog(m_db);
        QSignalSpy listed(&catalog, &RunCatalog::runsListed);
        QVERIFY(listed.wait(5000));
        QCOMPARE(lastRuns(listed).size(), size_t(4));

        store::RunFilter filter;
        filter.tag = "demo";
        catalog.setFilter(filter);
        QTRY_COMPARE(lastRuns(listed).size(), size_t(2));
        filter = {};
        filter.status = store::RunStatus::Failed;
        catalog.setFilter(filter);
        QTRY_COMPARE(lastRuns(listed).size(), size_t(1));
        QCOMPARE(lastRuns(listed).front().name, std::string("mixlora fail"));
    }

    void reListsWhenAnotherConnectionWrites()
    {
        RunCatalog catalog(m_db);
        catalog.setPollInterval(50);
        QSignalSpy listed(&catalog, &RunCatalog::runsListed);
        QVERIFY(listed.wait(5000));
        {
            store::RunStore writer(m_db.toStdString());
            store::RunRecord r;
            r.name = "written elsewhere";
            r.method = "lora";
            writer.createRun(r);
        }
        QTRY_COMPARE_WITH_TIMEOUT(lastRuns(listed).size(), size_t(5), 5000);
        QCOMPARE(lastRuns(listed).front().name, std::string("written elsewhere"));
    }

    void loadsDetailWithBaseScores()
    {
        RunCatalog catalog(m_db);
        QSignalSpy loaded(&catalog, &RunCatalog::detailLoaded);
        catalog.requestDetail(m_runs[0].id, 50);
        QVERIFY(loaded.wait(5000));
        const auto detail = loaded.last().at(0).value<RunDetailPtr>();
        QCOMPARE(detail->record.name, std::string("slim fixture"));
        QVERIFY(detail->series.count("loss/lm"));
        QVERIFY(detail->series.at("loss/lm").size() <= 50); // downsampled for display
        QCOMPARE(detail->data.routingExperts.size(), size_t(2 * 2 * 10));
        QCOMPARE(detail->data.clusterCentres.size(), size_t(2 * 2 * 4));
        QCOMPARE(detail->baseScores.size(), size_t(2)); // capitals: probe split and test split
        QCOMPARE(detail->baseScores.front().key.task, std::string("capitals"));

        // The forgetting the views plot: base 0.7, final capitals 0.65.
        const auto points = tradeoff(*detail);
        QCOMPARE(points.size(), size_t(3));
        QVERIFY(points.back().isFinal);
        QCOMPARE(*points.back().forgetting, 0.7 - 0.65);
        QCOMPARE(*points.back().downstream, 0.8);
    }

    void editsPersistAndUnknownRunFails()
    {
        RunCatalog catalog(m_db);
        QSignalSpy listed(&catalog, &RunCatalog::runsListed);
        QSignalSpy failed(&catalog, &RunCatalog::failed);
        QSignalSpy deleted(&catalog, &RunCatalog::runDeleted);
        QVERIFY(listed.wait(5000));
        catalog.setNotes(m_runs[1].id, QStringLiteral("rank 128"));
        catalog.addTag(m_runs[1].id, QStringLiteral("baseline"));
        catalog.deleteRun(m_runs[2].id);
        QVERIFY(deleted.wait(5000));
        QCOMPARE(deleted.last().at(0).value<std::int64_t>(), m_runs[2].id);
        catalog.requestDetail(987654);
        QVERIFY(failed.wait(5000));
        QVERIFY(failed.last().at(1).toString().contains(QStringLiteral("987654")));

        store::RunStore check(m_db.toStdString());
        QCOMPARE(check.getRun(m_runs[1].id)->notes, std::string("rank 128"));
        QCOMPARE(check.tags(m_runs[1].id), (std::vector<std::string>{"baseline", "demo"}));
        QVERIFY(!check.getRun(m_runs[2].id));
    }

    void paretoFrontKeepsTheUndominated()
    {
        std::vector<TradeoffPoint> points(4);
        points[0].downstream = 0.8, points[0].forgetting = 0.05; // front
        points[1].downstream = 0.85, points[1].forgetting = 0.25; // front
        points[2].downstream = 0.7, points[2].forgetting = 0.3;  // dominated by both
        points[3].downstream = 0.9;                               // no forgetting: never
        QCOMPARE(paretoFront(points), (std::vector<std::size_t>{0, 1}));
    }
};

QTEST_GUILESS_MAIN(TestRunCatalog)
#include "tst_run_catalog.moc"
