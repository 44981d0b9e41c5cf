// CompareView on real run details (a real RunCatalog on the fixture store): the trade-off plot
// places each run where services::tradeoff says, draws the Pareto front, opens a run on click;
// curves, config diff and the not-comparable warning.
#include "compare/compare_view.h"
#include "compare/config_diff.h"
#include "compare/curves_panel.h"
#include "compare/tradeoff_plot.h"
#include "fixture_store.h"
#include "plot/qcustomplot_include.h"
#include "run_catalog.h"
#include "run_scores.h"
#include "test_artifacts.h"

#include <QFrame>
#include <QLabel>
#include <QSignalSpy>
#include <QStackedWidget>
#include <QStandardItemModel>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QToolTip>
#include <QtTest>

using namespace slim;
using namespace slim::services;
using slim::ui::CompareView;

namespace {

// (forgetting points, downstream percent) of a run's final evaluation, from the services.
QPointF finalPoint(const RunDetail &detail)
{
    for (const auto &t : tradeoff(detail))
        if (t.isFinal && t.downstream && t.forgetting)
            return {100 * *t.forgetting, 100 * *t.downstream};
    return {qQNaN(), qQNaN()};
}

bool near(double a, double b)
{
    return std::abs(a - b) < 1e-6;
}

bool graphHas(QCPGraph *graph, QPointF p)
{
    for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it)
        if (near(it->key, p.x()) && near(it->value, p.y()))
            return true;
    return false;
}

// A copy of `from` as another run whose every evaluation of `task` scores `value`.
std::shared_ptr<RunDetail> variant(const RunDetailPtr &from, std::int64_t id, const char *name)
{
    auto copy = std::make_shared<RunDetail>(*from);
    copy->record.id = id;
    copy->record.name = name;
    return copy;
}

void setScores(RunDetail &detail, const std::string &task, double value)
{
    for (auto &e : detail.data.evals)
        if (e.task == task)
            e.value = value;
}

int rowOf(const QStandardItemModel *model, const QString &path)
{
    for (int r = 0; r < model->rowCount(); ++r)
        if (model->item(r, 0)->text() == path)
            return r;
    return -1;
}

} // namespace

class TestCompareView : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::vector<testing::FixtureRun> m_runs;
    RunDetailPtr m_slim, m_lora;

    RunDetailPtr load(RunCatalog &catalog, std::int64_t id)
    {
        QSignalSpy loaded(&catalog, &RunCatalog::detailLoaded);
        catalog.requestDetail(id);
        if (!loaded.wait(10000))
            return {};
        return loaded.last().at(0).value<RunDetailPtr>();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        const auto db = m_dir.filePath(QStringLiteral("runs.sqlite"));
        m_runs = testing::writeFixtureStore(db.toStdString());
        RunCatalog catalog(db);
        m_slim = load(catalog, m_runs[0].id);
        m_lora = load(catalog, m_runs[1].id);
        QVERIFY(m_slim && m_lora);
        QCOMPARE(m_slim->record.name, std::string("slim fixture"));
        QCOMPARE(m_lora->record.name, std::string("lora fixture"));
    }

    void showsEmptyStateWithoutRuns()
    {
        CompareView view;
        auto *stack = view.findChild<QStackedWidget *>();
        auto *empty = view.findChild<QLabel *>(QStringLiteral("compareEmpty"));
        QCOMPARE(stack->currentWidget(), empty);
        QVERIFY(empty->text().contains(QStringLiteral("Select two or more runs")));
        view.setRuns({m_slim, m_lora});
        QVERIFY(stack->currentWidget() != empty);
        view.clear();
        QCOMPARE(stack->currentWidget(), empty);
    }

    void placesFinalPointsAtForgettingAndDownstream()
    {
        CompareView view;
        view.setRuns({m_slim, m_lora});
        auto *plot = view.tradeoffPlot();
        for (const auto &[detail, expected] :
             {std::pair {m_slim, QPointF(5.0, 80.0)}, std::pair {m_lora, QPointF(25.0, 85.0)}}) {
            QCPGraph *graph = plot->finalGraph(detail->record.id);
            QVERIFY(graph);
            QCOMPARE(graph->dataCount(), 1);
            const QPointF drawn(graph->data()->at(0)->key, graph->data()->at(0)->value);
            const QPointF fromScores = finalPoint(*detail);
            QVERIFY2(near(drawn.x(), fromScores.x()) && near(drawn.y(), fromScores.y()),
                     qPrintable(QStringLiteral("drawn %1,%2").arg(drawn.x()).arg(drawn.y())));
            QVERIFY(near(drawn.x(), expected.x()) && near(drawn.y(), expected.y()));
            // Same colour as everywhere else in the view.
            QCOMPARE(graph->scatterStyle().brush().color(), view.colourOf(detail->record.id));
        }
        // Neither dominates the other: SLIM forgets less, LoRA scores higher.
        QCOMPARE(plot->frontGraph()->dataCount(), 2);
        QVERIFY(graphHas(plot->frontGraph(), {5.0, 80.0}));
        QVERIFY(graphHas(plot->frontGraph(), {25.0, 85.0}));
        // The base line at x = 0 is in view.
        QVERIFY(plot->plot()->xAxis->range().contains(0.0));
    }

    void frontLeavesDominatedRunsOutAndCanIncludeCheckpoints()
    {
        auto dominated = variant(m_lora, 999, "dominated run");
        setScores(*dominated, "sentiment", 0.70); // below SLIM's 80 %
        setScores(*dominated, "capitals", 0.50); // 20 points forgotten, more than SLIM's 5
        CompareView view;
        view.setRuns({m_slim, m_lora});
        view.addRun(dominated);
        auto *plot = view.tradeoffPlot();
        QVERIFY(plot->finalGraph(999));
        QVERIFY(graphHas(plot->finalGraph(999), finalPoint(*dominated)));
        QVERIFY(graphHas(plot->finalGraph(999), {20.0, 70.0}));
        QCOMPARE(plot->frontGraph()->dataCount(), 2);
        QVERIFY(!graphHas(plot->frontGraph(), {20.0, 70.0}));

        // SLIM's probe at step 50 (2.5 points, 65 %) forgets least of all evaluations.
        QVERIFY(!graphHas(plot->frontGraph(), {2.5, 65.0}));
        plot->setIncludeCheckpoints(true);
        QVERIFY(graphHas(plot->frontGraph(), {2.5, 65.0}));
        QVERIFY(!graphHas(plot->frontGraph(), {20.0, 70.0}));
    }

    void keepsRunsOrderedByIdWhateverTheArrivalOrder()
    {
        CompareView a, b;
        a.setRuns({m_slim, m_lora});
        b.addRun(m_lora);
        b.addRun(m_slim);
        b.addRun(m_lora); // a reload replaces, not duplicates
        QCOMPARE(b.runIds(), (QList<std::int64_t> {m_slim->record.id, m_lora->record.id}));
        QCOMPARE(a.colourOf(m_slim->record.id), b.colourOf(m_slim->record.id));
        QVERIFY(a.colourOf(m_slim->record.id) != a.colourOf(m_lora->record.id));
    }

    void clickingAPointOpensItsRun()
    {
        CompareView view;
        view.resize(1100, 720);
        view.setRuns({m_slim, m_lora});
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QCustomPlot *plot = view.tradeoffPlot()->plot();
        plot->replot();
        QSignalSpy activated(&view, &CompareView::runActivated);
        const auto pixel = [plot](double x, double y) {
            return QPoint(qRound(plot->xAxis->coordToPixel(x)),
                          qRound(plot->yAxis->coordToPixel(y)));
        };

        QTest::mouseClick(plot, Qt::LeftButton, {}, pixel(15.0, 76.0)); // empty space
        QCOMPARE(activated.count(), 0);
        QTest::mouseClick(plot, Qt::LeftButton, {}, pixel(5.0, 80.0) + QPoint(2, -1));
        QCOMPARE(activated.count(), 1);
        QCOMPARE(activated.last().at(0).value<std::int64_t>(), m_slim->record.id);
        QTest::mouseClick(plot, Qt::LeftButton, {}, pixel(25.0, 85.0));
        QCOMPARE(activated.count(), 2);
        QCOMPARE(activated.last().at(0).value<std::int64_t>(), m_lora->record.id);

        // Hovering names the run, its step and both numbers.
        QTest::mouseMove(plot, pixel(5.0, 80.0));
        QTRY_VERIFY(QToolTip::text().contains(QStringLiteral("slim fixture")));
        QVERIFY(QToolTip::text().contains(QStringLiteral("80.0 %")));
        QVERIFY(QToolTip::text().contains(QStringLiteral("5.0 points")));
    }

    void curvesOverlayOneGraphPerRun()
    {
        CompareView view;
        view.setRuns({m_slim, m_lora});
        auto *curves = view.curvesPanel();
        const auto metrics = curves->metrics();
        for (const auto &m : {"loss/lm", "lr", "score: capitals", "score: sentiment"})
            QVERIFY2(metrics.contains(QString::fromLatin1(m)), m);
        QCOMPARE(curves->metric(), QStringLiteral("loss/lm"));
        QCustomPlot *plot = curves->plot();
        QCOMPARE(plot->graphCount(), 2);
        // The fixture's LoRA losses are 1.2 times SLIM's: 3.0 and 3.6 at step 1.
        QCOMPARE(plot->graph(0)->name(), QStringLiteral("slim fixture"));
        QCOMPARE(plot->graph(0)->pen().color(), view.colourOf(m_slim->record.id));
        QVERIFY(near(plot->graph(0)->data()->at(0)->value, 3.0));
        QVERIFY(near(plot->graph(1)->data()->at(0)->value, 3.6));

        curves->setMetric(QStringLiteral("score: capitals"));
        QVERIFY(plot->yAxis->label().contains(QStringLiteral("capitals")));
        bool sawFinal = false;
        for (int i = 0; i < plot->graphCount(); ++i)
            sawFinal = sawFinal || graphHas(plot->graph(i), {100.0, 45.0}); // LoRA final, %
        QVERIFY(sawFinal);
    }

    void configDiffListsOnlyWhatDiffers()
    {
        CompareView view;
        view.setRuns({m_slim, m_lora});
        auto *diff = view.configDiffPanel();
        QCOMPARE(diff->runA(), m_slim->record.id);
        QCOMPARE(diff->runB(), m_lora->record.id);
        const auto *model = diff->model();
        QCOMPARE(model->headerData(1, Qt::Horizontal).toString(), QStringLiteral("slim fixture"));
        const int method = rowOf(model, QStringLiteral("adapter.method"));
        QVERIFY(method >= 0);
        QCOMPARE(model->item(method, 1)->text(), QStringLiteral("slim"));
        QCOMPARE(model->item(method, 2)->text(), QStringLiteral("lora"));
        QCOMPARE(rowOf(model, QStringLiteral("seed")), -1);
        QCOMPARE(rowOf(model, QStringLiteral("schedule.lr")), -1);

        diff->setShowAll(true);
        const int seed = rowOf(model, QStringLiteral("seed"));
        QVERIFY(seed >= 0);
        QCOMPARE(model->item(seed, 1)->text(), model->item(seed, 2)->text());
        QCOMPARE(model->item(rowOf(model, QStringLiteral("schedule.lr")), 1)->text(),
                 QStringLiteral("0.0005"));

        diff->selectRuns(m_lora->record.id, m_slim->record.id);
        QCOMPARE(model->item(rowOf(model, QStringLiteral("adapter.method")), 1)->text(),
                 QStringLiteral("lora"));
    }

    void flattensSpecsAsTheyAreWritten()
    {
        const auto flat = ui::flattenSpec(
            R"({"seed":3,"adapter":{"method":"slim","lora_rank":2},)"
            R"("data":{"tasks":["name_gender","reversal"],"mix":[{"task":"a","weight":0.5}]},)"
            R"("schedule":{"lr":0.001,"warmup":{}},"eval":{"final_full":false}})");
        QCOMPARE(flat.value(QStringLiteral("seed")), QStringLiteral("3"));
        QCOMPARE(flat.value(QStringLiteral("adapter.lora_rank")), QStringLiteral("2"));
        QCOMPARE(flat.value(QStringLiteral("data.tasks")),
                 QStringLiteral(R"(["name_gender","reversal"])"));
        QCOMPARE(flat.value(QStringLiteral("data.mix[0].weight")), QStringLiteral("0.5"));
        QCOMPARE(flat.value(QStringLiteral("schedule.lr")), QStringLiteral("0.001"));
        QCOMPARE(flat.value(QStringLiteral("schedule.warmup")), QStringLiteral("{}"));
        QCOMPARE(flat.value(QStringLiteral("eval.final_full")), QStringLiteral("false"));
        QVERIFY(ui::flattenSpec("{not json").contains(QStringLiteral("(spec)")));
    }

    void seedsOfOneConfigurationShowTheirSpread()
    {
        // A second seed of the SLIM run, 10 points better downstream and forgetting 2 points
        // more: one group of two, its mean ± sd drawn beside the two runs' own markers.
        auto seed2 = variant(m_slim, 1001, "slim fixture seed 2");
        for (auto &e : seed2->data.evals)
            e.value += e.kind == store::TaskKind::Downstream ? 0.10 : -0.02;
        CompareView view;
        view.setRuns({m_slim, seed2, m_lora});
        auto *plot = view.tradeoffPlot();
        QCOMPARE(plot->seedGroupGraphs().size(), size_t(1)); // LoRA is a group of one
        auto *mean = plot->seedGroupGraphs().front();
        QCOMPARE(mean->dataCount(), 1);
        QVERIFY(near(mean->data()->at(0)->key, 6.0));   // forgetting 5 and 7 points
        QVERIFY(near(mean->data()->at(0)->value, 85.0)); // downstream 80 and 90 percent
        QVERIFY(mean->name().contains(QStringLiteral("2 seeds")));
        QVERIFY(plot->finalGraph(seed2->record.id)); // each seed keeps its own marker
        int bars = 0;
        for (int i = 0; i < plot->plot()->plottableCount(); ++i) {
            if (auto *b = qobject_cast<QCPErrorBars *>(plot->plot()->plottable(i))) {
                ++bars;
                // sd of {5, 7} and of {80, 90}: sqrt(2) and 5 sqrt(2).
                const double expected = b->errorType() == QCPErrorBars::etKeyError
                                            ? std::sqrt(2.0)
                                            : 5 * std::sqrt(2.0);
                QVERIFY(near(b->data()->at(0).errorPlus, expected));
            }
        }
        QCOMPARE(bars, 2);
        view.resize(1100, 600);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        plot->plot()->replot(QCustomPlot::rpImmediateRefresh);
        QVERIFY(view.grab().save(
            testing::artifactPath(m_dir, QStringLiteral("compare_seed_spread.png"))));
    }

    void warnsWhenScoringModesDiffer()
    {
        CompareView view;
        view.setRuns({m_slim, m_lora});
        auto *banner = view.findChild<QFrame *>(QStringLiteral("compareWarning"));
        QVERIFY(banner);
        QVERIFY(view.warnings().isEmpty());
        QVERIFY(!banner->isVisibleTo(&view));

        auto logits = variant(m_slim, 1000, "logits run");
        for (auto &e : logits->data.evals)
            e.mode = store::ScoringMode::LabelLogits;
        view.addRun(logits);
        QVERIFY(banner->isVisibleTo(&view));
        QCOMPARE(view.warnings().size(), 1);
        const auto text = view.findChild<QLabel *>(QStringLiteral("compareWarningText"))->text();
        QVERIFY2(text.contains(QStringLiteral("different scoring modes")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("slim fixture, lora fixture: loglikelihood")),
                 qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("logits run: label_logits")), qPrintable(text));

        view.setRuns({m_slim, m_lora});
        QVERIFY(!banner->isVisibleTo(&view));
    }

    void warnsWhenGeneralTasksDiffer()
    {
        auto other = variant(m_lora, 1001, "other suite");
        for (auto &e : other->data.evals)
            if (e.kind == store::TaskKind::General)
                e.task = "piqa";
        CompareView view;
        view.setRuns({m_slim, other});
        QCOMPARE(view.warnings().size(), 1);
        QVERIFY2(view.warnings().front().contains(QStringLiteral("different general tasks")),
                 qPrintable(view.warnings().front()));
        QVERIFY(view.warnings().front().contains(QStringLiteral("other suite: piqa")));
    }

    void grabForReview()
    {
        auto dominated = variant(m_lora, 999, "dominated run");
        setScores(*dominated, "sentiment", 0.70);
        setScores(*dominated, "capitals", 0.50);
        CompareView view;
        view.resize(1280, 760);
        view.setRuns({m_slim, m_lora, dominated});
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QVERIFY(view.grab().save(testing::artifactPath(m_dir, QStringLiteral("compare_view.png"))));
        view.tabs()->setCurrentIndex(1);
        view.curvesPanel()->setMetric(QStringLiteral("score: capitals"));
        QVERIFY(view.grab().save(
            testing::artifactPath(m_dir, QStringLiteral("compare_view_curves.png"))));
        view.curvesPanel()->setMetric(QStringLiteral("loss/lm"));
        QVERIFY(view.grab().save(
            testing::artifactPath(m_dir, QStringLiteral("compare_view_loss.png"))));
        view.tabs()->setCurrentIndex(2);
        view.configDiffPanel()->setShowAll(true);
        QVERIFY(view.grab().save(
            testing::artifactPath(m_dir, QStringLiteral("compare_view_diff.png"))));

        auto logits = variant(m_slim, 1000, "logits run");
        for (auto &e : logits->data.evals)
            e.mode = store::ScoringMode::LabelLogits;
        view.addRun(logits);
        view.tabs()->setCurrentIndex(0);
        QVERIFY(view.grab().save(
            testing::artifactPath(m_dir, QStringLiteral("compare_view_warning.png"))));
    }
};

QTEST_MAIN(TestCompareView)
#include "tst_compare_view.moc"
