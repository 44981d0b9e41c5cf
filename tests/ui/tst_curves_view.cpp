// The Curves tab of the Run view on the fixture's runs through a real RunCatalog: long series
// drawn as downsampled buckets with their min..max band; each task's primary score, downstream
// and general tasks on their own pages, the base model's scores only on demand; and the scores
// read at a laptop's size (legend under the axes, every name whole).
#include "metric_stream.h"
#include "run_session.h"
#include "run_view_test_support.h"
#include "runview/curves_view.h"
#include "runview/run_view.h"
#include "runview/scores_view.h"
#include "test_artifacts.h"

#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

using namespace slim;
using namespace slim::ui;
using testing::findGraph;
using testing::findGraphStarting;
using testing::graphPoints;
using testing::replotAll;

class TestCurvesView : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<testing::FixtureCatalog> m_fixture;

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
        m_fixture = std::make_unique<testing::FixtureCatalog>(m_dir);
    }
    void cleanupTestCase() { m_fixture.reset(); }

    // Scores in percent, downstream and general tasks apart (downstream shown first), probe
    // points by step, the final evaluation apart; the base model's scores only on demand.
    void scoresOfAFinishedRun()
    {
        services::RunSession session(nullptr);
        CurvesView curves(&session);
        session.setDetail(m_fixture->detail("slim fixture"));
        QVERIFY(session.hasDetail());
        auto *scores = curves.scores();
        QCOMPARE(scores->shownTasks(), ScoresView::Tasks::Downstream);
        auto *sentiment = findGraphStarting(scores->downstreamPlot(), QStringLiteral("sentiment"));
        auto *capitals = findGraphStarting(scores->generalPlot(), QStringLiteral("capitals"));
        QVERIFY(sentiment);
        QVERIFY(capitals);
        QVERIFY(!findGraphStarting(scores->generalPlot(), QStringLiteral("sentiment")));
        QVERIFY(!findGraphStarting(scores->downstreamPlot(), QStringLiteral("capitals")));
        const auto sentimentPoints = graphPoints(sentiment);
        QCOMPARE(sentimentPoints.size(), 2);
        QCOMPARE(sentimentPoints[0].x(), 50.0);
        QCOMPARE(sentimentPoints[0].y(), 65.0);
        QCOMPARE(sentimentPoints[1].y(), 80.0);
        auto *sentimentFinal
            = findGraph(scores->downstreamPlot(), QStringLiteral("sentiment final"));
        QVERIFY(sentimentFinal);
        QCOMPARE(graphPoints(sentimentFinal), QList<QPointF>({QPointF(100, 80.0)}));

        // Base lines are drawn on demand (the graphs are made again: earlier pointers are gone).
        QVERIFY(!scores->baseShown());
        QVERIFY(!findGraph(scores->generalPlot(), QStringLiteral("capitals · base model")));
        scores->setBaseShown(true);
        auto *capitalsBase
            = findGraph(scores->generalPlot(), QStringLiteral("capitals · base model"));
        QVERIFY(capitalsBase);
        QCOMPARE(capitalsBase->data()->constBegin()->value, 70.0);
        const auto *baseFinal
            = findGraph(scores->generalPlot(), QStringLiteral("capitals · base model, final"));
        QVERIFY(baseFinal);
        QCOMPARE(graphPoints(baseFinal), QList<QPointF>({QPointF(100, 70.0)}));
        scores->setBaseShown(false);
        QCOMPARE(scores->downstreamPlot()->legend->itemCount(), 1); // one entry per task

        // The page the user picks stays when the scores change.
        scores->showTasks(ScoresView::Tasks::General);
        session.setDetail(m_fixture->detail("lora fixture"));
        QCOMPARE(scores->shownTasks(), ScoresView::Tasks::General);
    }

    void longSeriesDrawBucketsWithTheirRange()
    {
        services::MetricStream stream;
        RunView view(&stream);
        const auto detail = m_fixture->detail("slim fixture", 20);
        QVERIFY(detail);
        const auto &buckets = detail->series.at("loss/lm");
        QVERIFY(buckets.size() <= 20 && buckets.front().count > 1);
        view.setDetail(detail);
        auto *plot = view.curves()->lossPlot();
        auto *line = findGraph(plot, QStringLiteral("loss/lm"));
        auto *low = findGraph(plot, QStringLiteral("loss/lm min"));
        auto *high = findGraph(plot, QStringLiteral("loss/lm max"));
        QVERIFY(line && low && high);
        QCOMPARE(line->data()->size(), int(buckets.size()));
        QCOMPARE(high->channelFillGraph(), low); // the min..max band is filled
        // The first bucket: its last value on the line, its extremes on the band edges; the
        // loss falls, so the bucket's first row is its maximum.
        QCOMPARE(line->data()->constBegin()->value, buckets.front().last);
        QCOMPARE(high->data()->constBegin()->value, 3.0);
        QVERIFY(low->data()->constBegin()->value < high->data()->constBegin()->value);
        QVERIFY(plot->legend->itemWithPlottable(line));
        QVERIFY(!plot->legend->itemWithPlottable(high));
        view.resize(1366, 768);
        view.curves()->setLossLogScale(true);
        QCOMPARE(plot->yAxis->scaleType(), QCPAxis::stLogarithmic);
        replotAll(&view);
        QVERIFY(
            view.grab().save(testing::artifactPath(m_dir, QStringLiteral("run_view_buckets.png"))));
    }

    // Six tasks with long names, their base lines shown, at a laptop's size: each page of the
    // scores shows its three tasks, keeps its legend under the axes (off the data and the right
    // axis) with every name whole.
    void scoresReadAtLaptopSize()
    {
        auto detail = std::make_shared<services::RunDetail>();
        detail->record.id = 424242;
        detail->record.name = "many tasks";
        detail->record.method = "slim";
        detail->record.status = store::RunStatus::Succeeded;
        int index = 0;
        for (const auto kind : {store::TaskKind::General, store::TaskKind::Downstream}) {
            for (int t = 0; t < 3; ++t, ++index) {
                const std::string task
                    = (kind == store::TaskKind::General ? "general_knowledge_" : "downstream_task_")
                    + std::to_string(t) + "_with_a_long_name";
                for (std::int64_t step : {20, 40, 60}) {
                    store::EvalRow row;
                    row.step = step;
                    row.task = task;
                    row.split = "probe64-2";
                    row.metric = "acc";
                    row.value = 0.4 + 0.01 * double(step + index);
                    row.templateHash = "tpl-" + task;
                    row.taskVersion = "1";
                    row.kind = kind;
                    detail->data.evals.push_back(row);
                }
                store::BaseScoreRow base;
                base.key.modelHash = "model";
                base.key.task = task;
                base.key.split = "probe64-2";
                base.key.metric = "acc";
                base.key.templateHash = "tpl-" + task;
                base.key.taskVersion = "1";
                base.value = 0.5;
                detail->baseScores.push_back(base);
            }
        }
        services::MetricStream stream;
        RunView view(&stream);
        view.resize(1366, 700);
        view.setDetail(detail);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        auto *scores = view.curves()->scores();
        scores->setBaseShown(true);
        for (const auto tasks : {ScoresView::Tasks::Downstream, ScoresView::Tasks::General}) {
            scores->showTasks(tasks);
            QCoreApplication::processEvents();
            auto *plot = scores->plot(tasks);
            QVERIFY(plot->isVisible());
            plot->replot(QCustomPlot::rpImmediateRefresh);
            const QRect legend = plot->legend->outerRect();
            QVERIFY2(plot->rect().contains(legend), "the legend is inside the plot");
            QVERIFY2(!legend.intersects(plot->axisRect()->outerRect()),
                     "the legend covers neither the data nor an axis");
            int entries = 0;
            for (int i = 0; i < plot->legend->itemCount(); ++i) {
                auto *item = plot->legend->item(i); // null: an empty cell of the legend grid
                if (!item)
                    continue;
                ++entries;
                QVERIFY2(item->outerRect().width() >= item->minimumOuterSizeHint().width(),
                         "a legend name is cut off");
            }
            QCOMPARE(entries, 3); // the page's tasks; the base lines take no legend rows
            QCOMPARE(plot->graphCount(), 9); // per task: probe line, base line, base final
        }
        replotAll(&view);
        QVERIFY(view.grab().save(
            testing::artifactPath(m_dir, QStringLiteral("run_view_scores_laptop.png"))));
    }
};

QTEST_MAIN(TestCurvesView)
#include "tst_curves_view.moc"
