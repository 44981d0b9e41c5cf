// The Routing tab on the fixture's runs, loaded through a real RunCatalog: the heatmap shows
// the recorded weights of the selected step, the slider and live increments move it, identity
// experts are marked; runs without a router or clusters say so; hidden Routing and Clusters tabs
// catch up with live increments when shown. The Clusters tab: tst_cluster_drift_view.
#include "routing/cluster_drift_view.h"
#include "routing/routing_heatmap.h"
#include "routing/routing_view.h"
#include "run_catalog.h"
#include "run_session.h"
#include "run_view_test_support.h"
#include "test_artifacts.h"

#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QSlider>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <map>
#include <memory>
#include <set>

using namespace slim;
using namespace slim::services;
using namespace slim::ui;
using testing::replotAll;

namespace {

using Cell = std::pair<std::int64_t, std::int64_t>; // layer, expert

std::map<Cell, store::RoutingExpertRow> expertRowsAt(const RunData &data, std::int64_t step)
{
    std::map<Cell, store::RoutingExpertRow> out;
    for (const auto &row : data.routingExperts)
        if (row.step == step && row.probe == "train" && row.site == "mlp")
            out[{row.layer, row.expert}] = row;
    return out;
}

std::vector<std::int64_t> routingSteps(const RunData &data)
{
    std::set<std::int64_t> steps;
    for (const auto &row : data.routingExperts)
        steps.insert(row.step);
    return {steps.begin(), steps.end()};
}

} // namespace

class TestRoutingView : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<testing::FixtureCatalog> m_fixture;

    RunDetailPtr slimDetail() { return m_fixture->detail("slim fixture"); }

    static QSlider *slider(QWidget *view) { return view->findChild<QSlider *>("stepSlider"); }
    static QCPColorMap *colorMap(RoutingView &view)
    {
        return view.findChild<RoutingHeatmap *>()->colorMap();
    }

    // The heatmap cells equal the detail's rows at `step`, for `share` or mean weight.
    static void verifyCells(RoutingView &view, const RunData &data, std::int64_t step, bool share)
    {
        auto *map = colorMap(view);
        const auto rows = expertRowsAt(data, step);
        QVERIFY(!rows.empty());
        for (const auto &[cell, row] : rows) {
            const double shown = map->data()->cell(int(cell.second), int(cell.first));
            const double expected = share ? row.selectionShare : row.meanWeight;
            QVERIFY2(qFuzzyCompare(shown, expected),
                     qPrintable(QStringLiteral("layer %1 expert %2 step %3: %4 != %5")
                                    .arg(cell.first)
                                    .arg(cell.second)
                                    .arg(step)
                                    .arg(shown)
                                    .arg(expected)));
        }
    }

    // A live increment: the detail's last step again at `step`, with other weights.
    static RunData increment(const RunData &data, std::int64_t step, double scale)
    {
        RunData inc;
        const auto last = routingSteps(data).back();
        for (auto row : data.routingExperts) {
            if (row.step != last)
                continue;
            row.step = step;
            row.meanWeight *= scale;
            row.selectionShare *= scale;
            inc.routingExperts.push_back(row);
        }
        for (auto row : data.routingLayers) {
            if (row.step != last)
                continue;
            row.step = step;
            inc.routingLayers.push_back(row);
        }
        return inc;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        m_fixture = std::make_unique<testing::FixtureCatalog>(m_dir);
    }
    void cleanupTestCase() { m_fixture.reset(); }

    void heatmapShowsRecordedWeightsOfLastStep()
    {
        const auto detail = slimDetail();
        QVERIFY(detail);
        RunSession session(nullptr);
        RoutingView view(&session);
        view.resize(1300, 700);
        session.setDetail(detail);
        auto *map = colorMap(view);
        QCOMPARE(map->data()->keySize(), 10); // 8 LoRA + 2 identity experts
        QCOMPARE(map->data()->valueSize(), 2); // layers
        const auto steps = routingSteps(detail->data);
        QCOMPARE(slider(&view)->maximum(), int(steps.size()) - 1);
        QCOMPARE(slider(&view)->value(), slider(&view)->maximum());
        verifyCells(view, detail->data, steps.back(), false);
        QVERIFY(
            view.findChild<QLabel *>("stepLabel")->text().contains(QString::number(steps.back())));

        // Identity experts: coloured labels I0, I1 in place of the tick labels; E0..E7 on the axis.
        auto *heatmap = view.findChild<RoutingHeatmap *>();
        QStringList identity;
        for (auto *label : heatmap->identityLabels()) {
            identity << label->text();
            QVERIFY(label->color() != heatmap->xAxis->tickLabelColor());
        }
        QCOMPARE(identity, QStringList({"I0", "I1"}));
        const auto ticks = qSharedPointerCast<QCPAxisTickerText>(heatmap->xAxis->ticker())->ticks();
        QCOMPARE(ticks.value(0), QStringLiteral("E0"));
        QCOMPARE(ticks.value(7), QStringLiteral("E7"));
        QVERIFY(ticks.value(8).isEmpty()); // drawn by the coloured label instead
        QCOMPARE(map->dataRange().lower, 0.0);
        double maxWeight = 0;
        for (const auto &row : detail->data.routingExperts)
            maxWeight = std::max(maxWeight, row.meanWeight);
        QCOMPARE(map->dataRange().upper, maxWeight);
    }

    void colourSwitchShowsSelectionShare()
    {
        const auto loaded = slimDetail();
        QVERIFY(loaded);
        // The fixture records share == weight; make them differ so the switch is visible.
        auto detail = std::make_shared<RunDetail>(*loaded);
        for (auto &row : detail->data.routingExperts)
            row.selectionShare = row.isIdentity ? 0.05 : 0.9 - 0.1 * double(row.expert % 4);
        RunSession session(nullptr);
        RoutingView view(&session);
        session.setDetail(detail);
        const auto last = routingSteps(detail->data).back();
        verifyCells(view, detail->data, last, false);
        view.findChild<QComboBox *>("colourCombo")->setCurrentIndex(1);
        verifyCells(view, detail->data, last, true);
        QCOMPARE(colorMap(view)->dataRange().upper, 0.9);
        QVERIFY(colorMap(view)->colorScale()->axis()->label().contains("Selection share"));
    }

    void sliderShowsEarlierStep()
    {
        const auto detail = slimDetail();
        QVERIFY(detail);
        RunSession session(nullptr);
        RoutingView view(&session);
        session.setDetail(detail);
        slider(&view)->setValue(0);
        verifyCells(view, detail->data, 50, false);
        QVERIFY(view.findChild<QLabel *>("stepLabel")->text().startsWith("Step 50"));
        // The identity bars follow: one bar per layer at the fixture's identity mass of step 50.
        auto *bars
            = qobject_cast<QCPBars *>(view.findChild<QCustomPlot *>("identityBars")->plottable(0));
        QCOMPARE(bars->dataCount(), 2);
        for (const auto &row : detail->data.routingLayers)
            if (row.step == 50)
                QCOMPARE(bars->data()->at(int(row.layer))->value, row.identityMass);
    }

    void liveIncrementAddsStepAndFollows()
    {
        const auto detail = slimDetail();
        QVERIFY(detail);
        RunSession session(nullptr);
        RoutingView view(&session);
        view.show(); // a hidden view catches up only when shown (hiddenViewsCatchUpWhenShown)
        session.setDetail(detail);
        QVERIFY(view.findChild<QCheckBox *>("followLatest")->isChecked());
        const auto inc = increment(detail->data, 150, 0.5);
        session.appendLive(inc);
        QCOMPARE(slider(&view)->maximum(), 2);
        QCOMPARE(slider(&view)->value(), 2);
        verifyCells(view, inc, 150, false);
        auto *trend = view.findChild<QCustomPlot *>("identityTrend");
        QCOMPARE(trend->graph(0)->dataCount(), 3);

        // A row for a step already shown replaces it.
        RunData fix;
        auto row = inc.routingExperts.front();
        row.meanWeight = 0.77;
        fix.routingExperts.push_back(row);
        session.appendLive(fix);
        QCOMPARE(colorMap(view)->data()->cell(int(row.expert), int(row.layer)), 0.77);

        // Without "Follow latest" the selection stays where the user put it.
        view.findChild<QCheckBox *>("followLatest")->setChecked(false);
        slider(&view)->setValue(1);
        session.appendLive(increment(detail->data, 200, 0.25));
        QCOMPARE(slider(&view)->maximum(), 3);
        QCOMPARE(slider(&view)->value(), 1);
        verifyCells(view, detail->data, 100, false);
    }

    void newProbeAppearsInProbeCombo()
    {
        const auto detail = slimDetail();
        QVERIFY(detail);
        RunSession session(nullptr);
        RoutingView view(&session);
        view.show(); // a hidden view catches up only when shown (hiddenViewsCatchUpWhenShown)
        session.setDetail(detail);
        auto *probes = view.findChild<QComboBox *>("probeCombo");
        QCOMPARE(probes->count(), 1);
        auto inc = increment(detail->data, 100, 1.0);
        for (auto &r : inc.routingExperts)
            r.probe = "downstream";
        for (auto &r : inc.routingLayers)
            r.probe = "downstream";
        session.appendLive(inc);
        QCOMPARE(probes->count(), 2);
        QCOMPARE(probes->itemText(0), QStringLiteral("train"));
        QCOMPARE(probes->itemText(1), QStringLiteral("downstream"));
        QCOMPARE(probes->currentText(), QStringLiteral("train"));
    }

    void playStepsThroughAndStopsAtTheEnd()
    {
        const auto detail = slimDetail();
        QVERIFY(detail);
        RunSession session(nullptr);
        RoutingView view(&session);
        session.setDetail(detail);
        auto *play = view.findChild<QPushButton *>("playButton");
        play->click(); // at the last step: starts over from the first
        QCOMPARE(slider(&view)->value(), 0);
        QTRY_COMPARE(slider(&view)->value(), 1);
        QTRY_VERIFY(!play->isChecked());
        QCOMPARE(play->text(), QStringLiteral("Play"));
    }

    void runWithoutRouterShowsEmptyState()
    {
        const auto detail = m_fixture->detail("lora fixture");
        QVERIFY(detail);
        RunSession session(nullptr);
        RoutingView routing(&session);
        ClusterDriftView clusters(&session);
        session.setDetail(detail);
        auto *empty = routing.findChild<QLabel *>("emptyState");
        QCOMPARE(routing.findChild<QStackedWidget *>()->currentWidget(), empty);
        QCOMPARE(empty->text(),
                 QStringLiteral("This method has no router (LoRA, DoRA, full fine-tuning)"));
        auto *clusterEmpty = clusters.findChild<QLabel *>("emptyState");
        QCOMPARE(clusters.findChild<QStackedWidget *>()->currentWidget(), clusterEmpty);
        QCOMPARE(clusterEmpty->text(), QStringLiteral("Cluster drift is recorded for SLIM runs"));

        // A routed run after it shows the plots again.
        session.setDetail(slimDetail());
        QVERIFY(routing.findChild<QStackedWidget *>()->currentWidget() != empty);
    }

    void largeRunScrubs()
    {
        // 32 layers x (8 + 2) experts x 1000 steps: indexed once, every step reachable.
        auto detail = std::make_shared<RunDetail>();
        detail->record.method = "slim";
        auto &data = detail->data;
        data.routingExperts.reserve(32 * 10 * 1000);
        auto weight = [](std::int64_t step, std::int64_t layer, std::int64_t e) {
            return double((step * 7 + layer * 3 + e) % 97) / 97.0;
        };
        for (std::int64_t step = 1; step <= 1000; ++step) {
            for (std::int64_t layer = 0; layer < 32; ++layer) {
                data.routingLayers.push_back(
                    {step, "train", layer, "mlp", 100, 0.2, 0.1, 1.0, 0.1});
                for (std::int64_t e = 0; e < 10; ++e)
                    data.routingExperts.push_back(
                        {step, "train", layer, "mlp", e, e >= 8, weight(step, layer, e), 0.1});
            }
        }
        RunSession session(nullptr);
        RoutingView view(&session);
        session.setDetail(detail);
        QCOMPARE(slider(&view)->maximum(), 999);
        auto *map = colorMap(view);
        QCOMPARE(map->data()->keySize(), 10);
        QCOMPARE(map->data()->valueSize(), 32);
        for (int index = 0; index < 1000; index += 37) {
            slider(&view)->setValue(index);
            const std::int64_t step = index + 1;
            QCOMPARE(map->data()->cell(3, 17), weight(step, 17, 3));
            QCOMPARE(map->data()->cell(9, 31), weight(step, 31, 9));
        }
        view.resize(1366, 640);
        replotAll(&view);
        QVERIFY(view.grab().save(
            testing::artifactPath(m_dir, QStringLiteral("routing_view_large.png"))));
    }

    // Live increments reach hidden tabs as data only; the redraw happens once, when shown.
    void hiddenViewsCatchUpWhenShown()
    {
        const auto detail = slimDetail();
        QVERIFY(detail);
        RunSession session(nullptr);
        QTabWidget tabs;
        auto *front = new QWidget;
        auto *routing = new RoutingView(&session);
        auto *clusters = new ClusterDriftView(&session);
        tabs.addTab(front, QStringLiteral("front"));
        tabs.addTab(routing, QStringLiteral("routing"));
        tabs.addTab(clusters, QStringLiteral("clusters"));
        tabs.show();
        session.setDetail(detail);
        auto *routingSlider = slider(routing);
        auto *clusterSlider = slider(clusters);
        const int routingSteps = routingSlider->maximum();
        const int clusterSteps = clusterSlider->maximum();

        auto inc = increment(detail->data, 150, 0.5);
        for (auto row : detail->data.clusterCentres)
            if (row.step == 100) {
                row.step = 150;
                inc.clusterCentres.push_back(row);
            }
        session.appendLive(inc);
        QVERIFY(!routing->isVisible());
        QCOMPARE(routingSlider->maximum(), routingSteps); // not redrawn while hidden
        QCOMPARE(clusterSlider->maximum(), clusterSteps);

        tabs.setCurrentWidget(routing);
        QCOMPARE(routingSlider->maximum(), routingSteps + 1);
        QCOMPARE(routingSlider->value(), routingSteps + 1); // follows the latest step
        verifyCells(*routing, inc, 150, false);
        tabs.setCurrentWidget(clusters);
        QCOMPARE(clusterSlider->maximum(), clusterSteps + 1);
    }

    void grab()
    {
        const auto detail = slimDetail();
        QVERIFY(detail);
        QVERIFY(testing::grabView<RoutingView>(detail, m_dir, QStringLiteral("routing_view.png")));
    }
};

QTEST_MAIN(TestRoutingView)
#include "tst_routing_view.moc"
