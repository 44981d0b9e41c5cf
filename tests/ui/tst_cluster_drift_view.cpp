// The Clusters tab on the fixture's SLIM run, loaded through a real RunCatalog, and on a large
// synthetic one: the drift per layer, the cluster sizes at the selected step, the centres'
// projection (PCA) and the d+ histograms per probe show the recorded rows; a live increment adds
// a step and refits the projection.
#include "routing/cluster_drift_view.h"
#include "routing/cluster_projection_plot.h"
#include "run_session.h"
#include "run_view_test_support.h"
#include "test_artifacts.h"

#include <QCheckBox>
#include <QComboBox>
#include <QSlider>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <map>
#include <memory>
#include <random>

using namespace slim;
using namespace slim::services;
using namespace slim::ui;
using testing::replotAll;

class TestClusterDriftView : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<testing::FixtureCatalog> m_fixture;

    RunDetailPtr slimDetail() { return m_fixture->detail("slim fixture"); }
    static QSlider *slider(QWidget *view) { return view->findChild<QSlider *>("stepSlider"); }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        m_fixture = std::make_unique<testing::FixtureCatalog>(m_dir);
    }
    void cleanupTestCase() { m_fixture.reset(); }

    void largeClusterRun()
    {
        // 32 layers x 8 clusters x dim 64 over 40 reports: centres on a random walk.
        auto detail = std::make_shared<RunDetail>();
        detail->record.method = "slim";
        std::mt19937 rng(5);
        std::normal_distribution<float> normal;
        for (std::int64_t layer = 0; layer < 32; ++layer) {
            std::vector<std::vector<float>> centres(8, std::vector<float>(64));
            for (auto &c : centres)
                for (auto &x : c)
                    x = 3.0f * normal(rng);
            for (std::int64_t report = 1; report <= 40; ++report) {
                const std::int64_t step = report * 25;
                for (std::int64_t k = 0; k < 8; ++k) {
                    store::ClusterCentreRow row;
                    row.step = step;
                    row.layer = layer;
                    row.cluster = k;
                    row.size = 50 + (k * 37 + report * 11) % 120;
                    double drift = 0;
                    for (auto &x : centres[std::size_t(k)]) {
                        const float move = 0.3f * normal(rng) / float(report);
                        x += move + 0.05f;
                        drift += double(move) * move;
                    }
                    row.drift = std::sqrt(drift);
                    row.centre = centres[std::size_t(k)];
                    detail->data.clusterCentres.push_back(std::move(row));
                }
                for (const char *probe : {"train", "general", "downstream"}) {
                    if (std::string(probe) != "train" && report % 4 != 0)
                        continue; // eval probes only every fourth report
                    store::ClusterLayerRow stats;
                    stats.step = step;
                    stats.probe = probe;
                    stats.layer = layer;
                    const double scale = std::string(probe) == "downstream" ? 1.0 : 3.0;
                    for (int b = 0; b < 40; ++b)
                        stats.dplusHistogram.push_back(
                            std::int64_t(1000.0 * std::exp(-double(b) / scale)));
                    stats.histogramMax = 20.0;
                    stats.dplusMean = scale * 0.5;
                    detail->data.clusterLayers.push_back(std::move(stats));
                }
            }
        }
        RunSession session(nullptr);
        ClusterDriftView view(&session);
        view.resize(1366, 640);
        session.setDetail(detail);
        auto *drift = view.findChild<QCustomPlot *>("driftPlot");
        QCOMPARE(drift->graphCount(), 32);
        QCOMPARE(drift->legend->itemCount(), 0); // too many layers for a legend
        auto *pca = view.findChild<ClusterProjectionPlot *>();
        QVERIFY(pca->explained()[0] >= pca->explained()[1]);
        QVERIFY(pca->explained()[0] + pca->explained()[1] <= 1.0 + 1e-9);
        // At step 1000 all three probes have a histogram; at step 975 the eval probes fall back
        // to their latest report (step 900) and say so.
        auto *dplus = view.findChild<QCustomPlot *>("dplusPlot");
        QCOMPARE(dplus->graphCount(), 3);
        slider(&view)->setValue(slider(&view)->maximum() - 1);
        QCOMPARE(dplus->graphCount(), 3);
        QVERIFY(dplus->graph(1)->name().contains("(step 900)"));
        slider(&view)->setValue(slider(&view)->maximum());
        view.findChild<QComboBox *>("layerCombo")->setCurrentIndex(5);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        replotAll(&view);
        QVERIFY(view.grab().save(
            testing::artifactPath(m_dir, QStringLiteral("cluster_view_large.png"))));
    }

    void clusterPlotsShowFixture()
    {
        const auto detail = slimDetail();
        QVERIFY(detail);
        RunSession session(nullptr);
        ClusterDriftView view(&session);
        view.resize(1300, 700);
        session.setDetail(detail);
        const auto &centres = detail->data.clusterCentres;

        // (1) one drift graph per layer, one point per step, at the mean drift over clusters.
        auto *drift = view.findChild<QCustomPlot *>("driftPlot");
        QCOMPARE(drift->graphCount(), 2);
        for (int layer = 0; layer < 2; ++layer) {
            QCOMPARE(drift->graph(layer)->dataCount(), 2);
            for (int i = 0; i < 2; ++i) {
                const auto point = drift->graph(layer)->data()->at(i);
                double sum = 0;
                int count = 0;
                for (const auto &row : centres)
                    if (row.layer == layer && double(row.step) == point->key) {
                        sum += row.drift;
                        ++count;
                    }
                QCOMPARE(count, 4);
                QVERIFY(qFuzzyCompare(point->value, sum / count));
            }
        }
        view.findChild<QCheckBox *>("logScale")->setChecked(true);
        QCOMPARE(drift->yAxis->scaleType(), QCPAxis::stLogarithmic);
        QCOMPARE(drift->graphCount(), 2);

        // (2) cluster sizes of the chosen layer at the selected step.
        auto verifySizes = [&](std::int64_t layer, std::int64_t step) {
            auto *sizes = view.findChild<QCustomPlot *>("sizesPlot");
            std::map<double, double> shown;
            for (int i = 0; i < sizes->plottableCount(); ++i) {
                auto *bars = qobject_cast<QCPBars *>(sizes->plottable(i));
                QVERIFY(bars);
                shown[bars->data()->at(0)->key] = bars->data()->at(0)->value;
            }
            std::map<double, double> expected;
            for (const auto &row : centres)
                if (row.layer == layer && row.step == step)
                    expected[double(row.cluster)] = double(row.size);
            QCOMPARE(shown.size(), std::size_t(4));
            QCOMPARE(shown, expected);
        };
        verifySizes(0, 100);
        view.findChild<QComboBox *>("layerCombo")->setCurrentIndex(1);
        slider(&view)->setValue(0);
        verifySizes(1, 50);

        // (3) the fixture's centres lie on one line: PC1 keeps all the variance.
        auto *pca = view.findChild<ClusterProjectionPlot *>();
        QVERIFY(std::abs(pca->explained()[0] - 1.0) < 1e-6);
        QVERIFY(pca->xAxis->label().startsWith("PC1 (100.0% var)"));
        QVERIFY(pca->yAxis->label().startsWith("PC2"));
        int trajectories = 0;
        for (int i = 0; i < pca->plottableCount(); ++i) {
            auto *curve = qobject_cast<QCPCurve *>(pca->plottable(i));
            if (curve && !curve->name().isEmpty()) {
                ++trajectories;
                QCOMPARE(curve->dataCount(), 1); // up to step 50: one point
            }
        }
        QCOMPARE(trajectories, 4);
        slider(&view)->setValue(1);
        for (int i = 0; i < pca->plottableCount(); ++i)
            if (auto *curve = qobject_cast<QCPCurve *>(pca->plottable(i)); !curve->name().isEmpty())
                QCOMPARE(curve->dataCount(), 2);

        // (4) d+ histogram of the training probe, normalised to shares, mean in the legend.
        auto *dplus = view.findChild<QCustomPlot *>("dplusPlot");
        QCOMPARE(dplus->graphCount(), 1);
        QVERIFY(dplus->graph(0)->name().startsWith("train"));
        QVERIFY(dplus->graph(0)->name().contains("0.300"));
        double total = 0;
        for (int i = 0; i + 1 < dplus->graph(0)->dataCount(); ++i)
            total += dplus->graph(0)->data()->at(i)->value;
        QVERIFY(std::abs(total - 1.0) < 1e-9);
        QCOMPARE(dplus->graph(0)->data()->at(dplus->graph(0)->dataCount() - 1)->key, 20.0);
    }

    void clusterLiveIncrementAddsStep()
    {
        const auto detail = slimDetail();
        QVERIFY(detail);
        RunSession session(nullptr);
        ClusterDriftView view(&session);
        view.show();
        session.setDetail(detail);
        RunData inc;
        for (auto row : detail->data.clusterCentres) {
            if (row.step != 100)
                continue;
            row.step = 150;
            row.size += 1000;
            for (std::size_t d = 0; d < row.centre.size(); ++d) // leaves the line
                row.centre[d] += 0.5f * float((row.cluster + std::int64_t(d)) % 2);
            inc.clusterCentres.push_back(row);
        }
        for (auto row : detail->data.clusterLayers)
            if (row.step == 100) {
                row.step = 150;
                inc.clusterLayers.push_back(row);
            }
        session.appendLive(inc);
        QCOMPARE(slider(&view)->maximum(), 2);
        QCOMPARE(slider(&view)->value(), 2);
        QCOMPARE(view.findChild<QCustomPlot *>("driftPlot")->graph(0)->dataCount(), 3);
        auto *sizes = view.findChild<QCustomPlot *>("sizesPlot");
        QCOMPARE(qobject_cast<QCPBars *>(sizes->plottable(0))->data()->at(0)->value, 1100.0);
        auto *pca = view.findChild<ClusterProjectionPlot *>();
        QVERIFY(pca->explained()[1] > 0.0); // refitted with the new centres
    }

    void grab()
    {
        const auto detail = slimDetail();
        QVERIFY(detail);
        QVERIFY(testing::grabView<ClusterDriftView>(detail, m_dir, QStringLiteral("cluster_view.png")));
    }
};

QTEST_MAIN(TestClusterDriftView)
#include "tst_cluster_drift_view.moc"
