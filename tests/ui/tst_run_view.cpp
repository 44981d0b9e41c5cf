// The Run view on a real fixture database through a real RunCatalog: what each tab draws for a
// finished SLIM run (losses, learning rate, forgetting against the base model, spec and
// environment; the scores in tst_curves_view), and a running run fed live through a real
// MetricStream: rows pushed before the detail arrives are kept, rows already shown are not drawn
// twice, live evals reach the scores and the forgetting plot, and the header follows the run
// list until the run finishes.
#include "metric_stream.h"
#include "plot/qcustomplot_include.h"
#include "routing/cluster_drift_view.h"
#include "routing/routing_view.h"
#include "run_catalog.h"
#include "run_view_test_support.h"
#include "runview/curves_view.h"
#include "runview/details_view.h"
#include "runview/forgetting_view.h"
#include "runview/run_view.h"
#include "runview/scores_view.h"
#include "test_artifacts.h"

#include <QLabel>
#include <QProgressBar>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QDir>
#include <QFile>
#include <QPushButton>
#include <QTableWidget>
#include <QtTest>

#include <memory>

using namespace slim;
using namespace slim::ui;
using testing::findGraph;
using testing::findGraphStarting;
using testing::graphPoints;
using testing::replotAll;

namespace {

int pointCount(QCustomPlot *plot, const QString &name)
{
    const auto *graph = findGraph(plot, name);
    return graph ? graph->data()->size() : -1;
}

store::EvalRow capitalsProbe(std::int64_t step, double value)
{
    store::EvalRow row;
    row.step = step;
    row.task = "capitals";
    row.split = "probe64-2";
    row.metric = "acc";
    row.value = value;
    row.n = 64;
    row.templateHash = "tpl-capitals"; // the fixture's cached base score: same items and template
    row.taskVersion = "1";
    row.kind = store::TaskKind::General;
    return row;
}

services::RunData metricRows(std::int64_t run, const std::string &name, std::int64_t from,
                             std::int64_t to, double offset)
{
    services::RunData data;
    data.runId = run;
    for (std::int64_t s = from; s <= to; ++s)
        data.metrics.push_back({s, name, offset + double(s)});
    return data;
}

} // namespace

class TestRunView : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_db;
    std::vector<testing::FixtureRun> m_runs;
    std::unique_ptr<services::RunCatalog> m_catalog;

    std::int64_t idOf(const std::string &name) const { return testing::fixtureId(m_runs, name); }
    services::RunDetailPtr load(std::int64_t id) { return testing::loadDetail(*m_catalog, id); }

    // A running SLIM run in the fixture database, with loss/aux recorded for steps 1..5 and a
    // first probe evaluation of capitals at step 2 (unchanged from the base model, 0.7).
    std::int64_t makeRunningRun()
    {
        store::RunStore db(m_db.toStdString());
        store::RunRecord r;
        r.name = "live slim";
        r.method = "slim";
        r.specJson = R"({"name":"live slim","adapter":{"method":"slim"},"schedule":{"steps":20}})";
        const auto id = db.createRun(r);
        db.startRun(id);
        db.updateProgress(id, 5, 20, 0.25);
        std::vector<store::MetricRow> rows;
        for (std::int64_t s = 1; s <= 5; ++s)
            rows.push_back({s, "loss/aux", 1.0 + double(s)});
        db.appendMetrics(id, rows);
        db.setEnvironment(id, "cpu", "{}", R"({"base_model":"fixture-model"})");
        db.appendEvalResults(id, {capitalsProbe(2, 0.7)});
        return id;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
        m_db = m_dir.filePath(QStringLiteral("runs.sqlite"));
        m_runs = testing::writeFixtureStore(m_db.toStdString());
        m_catalog = std::make_unique<services::RunCatalog>(m_db);
    }

    void showsFinishedSlimRun()
    {
        services::MetricStream stream;
        RunView view(&stream);
        const auto id = idOf("slim fixture");
        view.watchRun(id);
        QVERIFY(view.isWatching());
        const auto detail = load(id);
        QVERIFY(detail);
        view.setDetail(detail);
        QCOMPARE(view.runId(), id);
        QVERIFY2(!view.isWatching(), "a finished run is not watched");
        QCOMPARE(view.findChild<QLabel *>(QStringLiteral("runStatus"))->text(),
                 QStringLiteral("succeeded"));
        QCOMPARE(view.findChild<QProgressBar *>(QStringLiteral("runProgress"))->text(),
                 QStringLiteral("step 100 / 100  (100%)"));

        // Curves: every loss term and the learning rate over the 100 steps.
        auto *curves = view.curves();
        auto *lm = findGraph(curves->lossPlot(), QStringLiteral("loss/lm"));
        QVERIFY(lm);
        QCOMPARE(lm->data()->size(), 100);
        QCOMPARE(lm->data()->constBegin()->key, 1.0);
        QCOMPARE(lm->data()->constBegin()->value, 3.0);
        QCOMPARE((lm->data()->constEnd() - 1)->key, 100.0);
        QVERIFY(findGraph(curves->lossPlot(), QStringLiteral("loss/l1")));
        QVERIFY(!findGraph(curves->lossPlot(), QStringLiteral("lr")));
        auto *lr = findGraph(curves->lrPlot(), QStringLiteral("lr"));
        QVERIFY(lr);
        QCOMPARE(lr->data()->size(), 100);
        QCOMPARE((lr->data()->constEnd() - 1)->value, 5e-4);
        QCOMPARE(curves->lossPlot()->yAxis->label(), QStringLiteral("loss (nats/token)"));
        QVERIFY(curves->otherMetrics().isEmpty());

        // Forgetting: change vs base = -(base - run) in points; base capitals 0.7.
        auto *forgetting = view.forgetting();
        QVERIFY(forgetting->hasData());
        QVERIFY(forgetting->averageGraph());
        QVERIFY(forgetting->averageFinalGraph());
        const double probe50 = 0.7 - 0.5 * (0.7 - 0.65), probe100 = 0.65, final = 0.65;
        const auto average = graphPoints(forgetting->averageGraph());
        QCOMPARE(average.size(), 2);
        QCOMPARE(average[0].x(), 50.0);
        QCOMPARE(average[0].y(), -(0.7 - probe50) * 100.0);
        QCOMPARE(average[1].x(), 100.0);
        QCOMPARE(average[1].y(), -(0.7 - probe100) * 100.0);
        const auto averageFinal = graphPoints(forgetting->averageFinalGraph());
        QCOMPARE(averageFinal.size(), 1);
        QCOMPARE(averageFinal[0].x(), 100.0);
        QCOMPARE(averageFinal[0].y(), -(0.7 - final) * 100.0);
        QVERIFY(qFuzzyCompare(averageFinal[0].y(), -5.0));
        // Downstream tasks do not forget: only capitals has a per-task line.
        QVERIFY(findGraph(forgetting->plot(), QStringLiteral("capitals")));
        QVERIFY(!findGraphStarting(forgetting->plot(), QStringLiteral("sentiment")));

        // Details: the spec and the environment the run recorded.
        QVERIFY(view.details()->specText().contains(QStringLiteral("\"slim\"")));
        QVERIFY(view.details()->specText().contains(QStringLiteral("\n"))); // pretty-printed
        QCOMPARE(view.details()->environmentValue(QStringLiteral("Device")), QStringLiteral("cpu"));
        QCOMPARE(view.details()->environmentValue(QStringLiteral("Git commit")),
                 QStringLiteral("fixture"));
        QCOMPARE(view.details()->environmentValue(QStringLiteral("Seed")), QStringLiteral("1"));
        QVERIFY(view.details()
                    ->environmentValue(QStringLiteral("Library versions"))
                    .contains(QStringLiteral("1.13.1")));
        QVERIFY(view.details()->environmentValue(QStringLiteral("Error")).isNull());
    }

    void checkpointsArePinnedAndPrunedFromTheDetailsTab()
    {
        // A finished run with five checkpoints on disk (steps 10..50, 1 KiB each), evaluated at
        // step 20, keeping the last 2.
        store::RunStore db(m_db.toStdString());
        store::RunRecord r;
        r.name = "kept checkpoints";
        r.method = "lora";
        r.specJson = R"({"name":"kept checkpoints","adapter":{"method":"lora"},"schedule":{"steps":50,"keep_checkpoints":2}})";
        const auto id = db.createRun(r);
        db.setStatus(id, store::RunStatus::Succeeded);
        db.appendEvalResults(id, {capitalsProbe(20, 0.7)});
        const auto folder = m_dir.filePath(QStringLiteral("kept/checkpoints"));
        for (int step = 10; step <= 50; step += 10) {
            const auto dir = folder + QStringLiteral("/step_%1").arg(step);
            QVERIFY(QDir().mkpath(dir));
            QFile f(dir + "/adapter_model.safetensors");
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(QByteArray(1024, 'x'));
            db.addCheckpoint(id, {step, dir.toStdString(), std::string(64, 'a'), 1024, {}});
        }

        services::MetricStream stream;
        RunView view(&stream);
        connect(&view, &RunView::checkpointPinRequested, m_catalog.get(),
                &services::RunCatalog::setCheckpointPinned);
        connect(&view, &RunView::pruneRequested, m_catalog.get(),
                &services::RunCatalog::pruneCheckpoints);
        connect(m_catalog.get(), &services::RunCatalog::detailLoaded, &view,
                [&view, id](const services::RunDetailPtr &d) {
                    if (d && d->record.id == id)
                        view.setDetail(d);
                });
        view.setDetail(load(id));
        auto *details = view.details();
        auto *table = details->checkpointsTable();
        QCOMPARE(table->rowCount(), 5);
        QVERIFY2(details->checkpointsTitle().contains("5 on disk, run folder")
                     && details->checkpointsTitle().contains("the last 2 plus evaluated and pinned"),
                 qPrintable(details->checkpointsTitle()));
        auto keptOf = [table](int step) {
            for (int row = 0; row < table->rowCount(); ++row) {
                if (table->item(row, 0)->data(Qt::EditRole).toInt() == step)
                    return table->item(row, 2)->text();
            }
            return QStringLiteral("(missing)");
        };
        QCOMPARE(keptOf(20), QStringLiteral("evaluated"));
        QCOMPARE(keptOf(50), QStringLiteral("recent"));
        QCOMPARE(keptOf(10), QString());

        // Pin step 30, then prune: 10 goes, 20 (evaluated), 30 (pinned), 40 and 50 stay.
        for (int row = 0; row < table->rowCount(); ++row) {
            if (table->item(row, 0)->data(Qt::EditRole).toInt() == 30)
                table->selectRow(row);
        }
        QCOMPARE(details->pinButton()->text(), QStringLiteral("Pin"));
        details->pinButton()->click();
        QTRY_COMPARE(keptOf(30), QStringLiteral("pinned"));
        details->pruneButton()->click();
        QTRY_COMPARE(table->rowCount(), 4);
        QCOMPARE(keptOf(10), QStringLiteral("(missing)"));
        QVERIFY(!QFileInfo::exists(folder + "/step_10"));
        QVERIFY(QFileInfo::exists(folder + "/step_30"));
        QTRY_VERIFY(details->checkpointsTitle().contains("4 on disk"));
    }

    void tabsAndPlaceholders()
    {
        services::MetricStream stream;
        RunView view(&stream);
        auto *tabs = view.findChild<QTabWidget *>(QStringLiteral("runTabs"));
        QVERIFY(tabs);
        QStringList titles;
        for (int i = 0; i < tabs->count(); ++i)
            titles << tabs->tabText(i);
        QCOMPARE(titles,
                 QStringList({QStringLiteral("Curves"), QStringLiteral("Routing"),
                              QStringLiteral("Clusters"), QStringLiteral("Forgetting"),
                              QStringLiteral("Details")}));
        QCOMPARE(tabs->widget(1), static_cast<QWidget *>(view.routing()));
        QCOMPARE(tabs->widget(2), static_cast<QWidget *>(view.clusters()));
        view.setCurrentTab(QStringLiteral("Forgetting"));
        QCOMPARE(view.currentTab(), QStringLiteral("Forgetting"));
        QCOMPARE(tabs->currentWidget(), static_cast<QWidget *>(view.forgetting()));

        auto *placeholder = view.findChild<QLabel *>(QStringLiteral("runViewPlaceholder"));
        QVERIFY(placeholder->isVisibleTo(&view));
        QVERIFY(placeholder->text().contains(QStringLiteral("Select a run")));
        view.watchRun(idOf("dora queued"));
        QVERIFY(placeholder->text().contains(QStringLiteral("Loading")));

        // A queued run: watched, and every tab says why it is empty.
        view.setDetail(load(idOf("dora queued")));
        QVERIFY(!placeholder->isVisibleTo(&view));
        QVERIFY(view.isWatching());
        QVERIFY(!view.forgetting()->hasData());
        QVERIFY(view.forgetting()->emptyText().contains(QStringLiteral("No general-suite")));
        QCOMPARE(view.curves()->lossPlot()->graphCount(), 0);
        QCOMPARE(view.findChild<QProgressBar *>(QStringLiteral("runProgress"))->text(),
                 QStringLiteral("waiting to start"));
        QCOMPARE(view.currentTab(), QStringLiteral("Forgetting")); // kept across runs

        // A failed run shows its error in the header and the environment.
        view.setDetail(load(idOf("mixlora fail")));
        QVERIFY(!view.isWatching());
        QCOMPARE(view.findChild<QLabel *>(QStringLiteral("runStatus"))->text(),
                 QStringLiteral("failed: out of memory"));
        QCOMPARE(view.details()->environmentValue(QStringLiteral("Error")),
                 QStringLiteral("out of memory"));
        QCOMPARE(view.details()->environmentValue(QStringLiteral("Error detail")),
                 QStringLiteral("std::bad_alloc at step 10"));

        view.clear();
        QCOMPARE(view.runId(), std::int64_t(0));
        QVERIFY(placeholder->isVisibleTo(&view));
    }

    void liveRunAppendsOnlyNewSteps()
    {
        const auto id = makeRunningRun();
        services::MetricStream stream;
        RunView view(&stream);
        view.show(); // the Curves tab is current: its plots redraw as rows arrive
        QSignalSpy finished(&view, &RunView::runFinished);
        view.watchRun(id);
        // Pushed after subscribing but before the detail arrives: must neither be lost nor be
        // drawn on the placeholder; loss/aux steps 3..5 are also in the store already.
        stream.push(metricRows(id, "loss/aux", 3, 8, 100.0));
        const auto detail = load(id);
        QVERIFY(detail);
        QCOMPARE(detail->series.at("loss/aux").size(), std::size_t(5));
        view.setDetail(detail);
        QVERIFY(view.isWatching());
        QCOMPARE(view.findChild<QLabel *>(QStringLiteral("runStatus"))->text(),
                 QStringLiteral("running"));
        auto *lossPlot = view.curves()->lossPlot();
        QTRY_COMPARE(pointCount(lossPlot, QStringLiteral("loss/aux")), 8);
        const auto aux = graphPoints(findGraph(lossPlot, QStringLiteral("loss/aux")));
        QCOMPARE(aux[4], QPointF(5, 6.0)); // from the store, not the live repeat (105)
        QCOMPARE(aux[5], QPointF(6, 106.0)); // live

        stream.push(metricRows(id, "loss/lm", 1, 10, 0.0));
        QTRY_COMPARE(pointCount(lossPlot, QStringLiteral("loss/lm")), 10);
        stream.push(metricRows(id, "loss/lm", 5, 12, 1000.0));
        QTRY_COMPARE(pointCount(lossPlot, QStringLiteral("loss/lm")), 12);
        const auto lm = graphPoints(findGraph(lossPlot, QStringLiteral("loss/lm")));
        for (int i = 0; i < 10; ++i)
            QCOMPARE(lm[i], QPointF(i + 1, i + 1)); // steps 5..10 were not appended again
        QCOMPARE(lm[10], QPointF(11, 1011.0));
        QCOMPARE(lm[11], QPointF(12, 1012.0));
        // The header follows the live step before the run list catches up.
        QCOMPARE(view.findChild<QProgressBar *>(QStringLiteral("runProgress"))->text(),
                 QStringLiteral("step 12 / 20  (60%)"));

        // A metric outside the fixed plots is offered in the picker and plotted on request.
        stream.push(metricRows(id, "grad_norm", 1, 12, 0.5));
        QTRY_COMPARE(view.curves()->otherMetrics(), QStringList {QStringLiteral("grad_norm")});
        QCOMPARE(view.curves()->otherPlot()->graphCount(), 0);
        view.curves()->setMetricShown(QStringLiteral("grad_norm"), true);
        QCOMPARE(pointCount(view.curves()->otherPlot(), QStringLiteral("grad_norm")), 12);

        // A live probe evaluation of a general task reaches scores and forgetting.
        QVERIFY(view.forgetting()->hasData());
        QCOMPARE(graphPoints(view.forgetting()->averageGraph()), QList<QPointF>({QPointF(2, 0.0)}));
        services::RunData evals;
        evals.runId = id;
        evals.evals = {capitalsProbe(2, 0.7), capitalsProbe(10, 0.6)}; // step 2 repeats the store
        stream.push(std::move(evals));
        QTRY_COMPARE(view.forgetting()->averageGraph()->data()->size(), 2);
        QCOMPARE(graphPoints(view.forgetting()->averageGraph()),
                 QList<QPointF>({QPointF(2, 0.0), QPointF(10, -(0.7 - 0.6) * 100.0)}));
        QCOMPARE(graphPoints(findGraphStarting(view.curves()->scores()->generalPlot(),
                                               QStringLiteral("capitals"))),
                 QList<QPointF>({QPointF(2, 70.0), QPointF(10, 60.0)}));

        // The run list reports the end: the header follows and the owner is told to reload.
        store::RunSummary summary;
        summary.id = id;
        summary.status = store::RunStatus::Succeeded;
        summary.currentStep = 20;
        summary.totalSteps = 20;
        summary.progress = 1.0;
        view.setRecord(summary);
        QCOMPARE(finished.count(), 1);
        QCOMPARE(finished.at(0).at(0).value<std::int64_t>(), id);
        QCOMPARE(view.findChild<QLabel *>(QStringLiteral("runStatus"))->text(),
                 QStringLiteral("succeeded"));
        QCOMPARE(view.details()->environmentValue(QStringLiteral("Status")),
                 QStringLiteral("succeeded"));
        store::RunSummary other = summary;
        other.id = id + 1000;
        other.status = store::RunStatus::Failed;
        view.setRecord(other); // another run: ignored
        QCOMPARE(finished.count(), 1);
        QCOMPARE(view.findChild<QLabel *>(QStringLiteral("runStatus"))->text(),
                 QStringLiteral("succeeded"));
    }

    void switchingRunsDropsTheOldFeed()
    {
        const auto live = makeRunningRun();
        services::MetricStream stream;
        RunView view(&stream);
        view.watchRun(live);
        view.setDetail(load(live));
        stream.push(metricRows(live, "loss/lm", 1, 3, 0.0));
        QTRY_COMPARE(pointCount(view.curves()->lossPlot(), QStringLiteral("loss/lm")), 3);

        const auto slim = idOf("slim fixture");
        view.watchRun(slim);
        view.setDetail(load(slim));
        QVERIFY(!view.isWatching());
        stream.push(metricRows(live, "loss/lm", 4, 400, 0.0)); // the old run keeps training
        QCoreApplication::processEvents();
        QCOMPARE(pointCount(view.curves()->lossPlot(), QStringLiteral("loss/lm")), 100);
    }

    void grabForLooking()
    {
        services::MetricStream stream;
        RunView view(&stream);
        view.resize(1366, 768);
        view.watchRun(idOf("slim fixture"));
        view.setDetail(load(idOf("slim fixture")));
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        for (const auto &[tab, file] :
             {std::pair {QStringLiteral("Curves"), QStringLiteral("run_view.png")},
              std::pair {QStringLiteral("Forgetting"), QStringLiteral("run_view_forgetting.png")},
              std::pair {QStringLiteral("Details"), QStringLiteral("run_view_details.png")},
              std::pair {QStringLiteral("Routing"), QStringLiteral("run_view_routing.png")}}) {
            view.setCurrentTab(tab);
            QCoreApplication::processEvents();
            replotAll(&view);
            QVERIFY(view.grab().save(testing::artifactPath(m_dir, file)));
        }
        view.setDetail(load(idOf("dora queued")));
        view.setCurrentTab(QStringLiteral("Forgetting"));
        QCoreApplication::processEvents();
        replotAll(&view);
        QVERIFY(
            view.grab().save(testing::artifactPath(m_dir, QStringLiteral("run_view_queued.png"))));
    }
};

QTEST_MAIN(TestRunView)
#include "tst_run_view.moc"
