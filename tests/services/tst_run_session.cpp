// RunSession: a loaded detail plus live increments that overlap it (the subscription starts
// before the store read) and each other hold every row once, with the store's rows kept and
// only what is new reported to the views; through a real MetricStream, rows pushed before the
// detail arrives wait for it, another run's rows never arrive, and the run list's record and
// terminal status reach the session.
#include "metric_stream.h"
#include "run_session.h"

#include <QSignalSpy>
#include <QtTest>

#include <algorithm>
#include <map>
#include <memory>

using namespace slim;
using namespace slim::services;

namespace {

constexpr std::int64_t kRun = 7;

store::EvalRow evalAt(std::int64_t step, double value, store::TaskKind kind)
{
    store::EvalRow row;
    row.step = step;
    row.task = kind == store::TaskKind::General ? "capitals" : "sentiment";
    row.split = "probe64-2";
    row.metric = "acc";
    row.value = value;
    row.n = 64;
    row.templateHash = "tpl";
    row.taskVersion = "1";
    row.kind = kind;
    return row;
}

// Routing rows of one step: 2 layers x 3 experts (the last an identity expert).
void addRouting(RunData &data, std::int64_t step, double weight)
{
    for (std::int64_t layer = 0; layer < 2; ++layer) {
        data.routingLayers.push_back({step, "train", layer, "mlp", 100, 0.2, 0.1, 1.0, 0.1});
        for (std::int64_t e = 0; e < 3; ++e)
            data.routingExperts.push_back({step, "train", layer, "mlp", e, e == 2, weight, weight});
    }
}

// Cluster rows of one step: 2 clusters of layer 0, and the training probe's d+ statistics.
void addClusters(RunData &data, std::int64_t step)
{
    for (std::int64_t k = 0; k < 2; ++k) {
        store::ClusterCentreRow row;
        row.step = step;
        row.cluster = k;
        row.size = 10 + k;
        row.drift = 0.1 * double(k + 1);
        row.centre = {float(k), float(step)};
        data.clusterCentres.push_back(row);
    }
    store::ClusterLayerRow stats;
    stats.step = step;
    stats.dplusMean = 0.3;
    stats.dplusHistogram = {1, 2, 3};
    data.clusterLayers.push_back(stats);
}

// A running run as the store read it: loss/lm at steps 1..5 (value = step), a probe
// evaluation of each kind at step 2, routing and clusters at step 10.
RunDetailPtr loadedDetail(store::RunStatus status = store::RunStatus::Running)
{
    auto detail = std::make_shared<RunDetail>();
    detail->record.id = kRun;
    detail->record.method = "slim";
    detail->record.status = status;
    detail->record.currentStep = 5;
    detail->record.totalSteps = 20;
    detail->data.runId = kRun;
    auto &buckets = detail->series["loss/lm"];
    for (std::int64_t s = 1; s <= 5; ++s)
        buckets.push_back({s, s, double(s), double(s), double(s), 1});
    detail->data.evals
        = {evalAt(2, 0.7, store::TaskKind::General), evalAt(2, 0.5, store::TaskKind::Downstream)};
    addRouting(detail->data, 10, 0.25);
    addClusters(detail->data, 10);
    return detail;
}

RunData metricRows(std::int64_t from, std::int64_t to, double offset)
{
    RunData data;
    data.runId = kRun;
    for (std::int64_t s = from; s <= to; ++s)
        data.metrics.push_back({s, "loss/lm", offset + double(s)});
    return data;
}

std::map<std::int64_t, double> seriesOf(const RunSession &session, const std::string &name)
{
    std::map<std::int64_t, double> out;
    const auto it = session.series().find(name);
    if (it == session.series().end())
        return out;
    for (const auto &b : it->second) {
        if (!out.emplace(b.lastStep, b.last).second)
            out[-1] = 0; // a step held twice: never a valid step, so the test sees it
    }
    return out;
}

std::vector<std::int64_t> steps(const std::vector<store::MetricRow> &rows)
{
    std::vector<std::int64_t> out;
    for (const auto &row : rows)
        out.push_back(row.step);
    return out;
}

LiveUpdate lastUpdate(const QSignalSpy &spy)
{
    return spy.last().at(0).value<LiveUpdate>();
}

} // namespace

class TestRunSession : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void loadedDetailPlusOverlappingIncrementsHoldEachRowOnce()
    {
        RunSession session(nullptr);
        QSignalSpy merged(&session, &RunSession::liveMerged);
        session.setDetail(loadedDetail());

        // Metrics: steps 3..5 repeat the store's rows (kept, not the live values); 6..8 are new.
        session.appendLive(metricRows(3, 8, 100.0));
        QCOMPARE(merged.count(), 1);
        QCOMPARE(steps(lastUpdate(merged).metrics), (std::vector<std::int64_t> {6, 7, 8}));
        // A later drain overlapping the first (7, 8) adds only step 9.
        session.appendLive(metricRows(7, 9, 200.0));
        QCOMPARE(steps(lastUpdate(merged).metrics), (std::vector<std::int64_t> {9}));
        const std::map<std::int64_t, double> expected {{1, 1.0},   {2, 2.0},   {3, 3.0},
                                                       {4, 4.0},   {5, 5.0},   {6, 106.0},
                                                       {7, 107.0}, {8, 108.0}, {9, 209.0}};
        QCOMPARE(seriesOf(session, "loss/lm"), expected);
        QCOMPARE(session.currentStep(), std::int64_t(9));

        // Evals, routing and clusters repeating the store's rows change nothing: no update.
        RunData repeat;
        repeat.evals = {evalAt(2, 0.7, store::TaskKind::General)};
        addRouting(repeat, 10, 0.25);
        addClusters(repeat, 10);
        session.appendLive(repeat);
        QCOMPARE(merged.count(), 2);
        QCOMPARE(session.evals().size(), std::size_t(2));

        // New rows of each kind, with repeats mixed in.
        RunData fresh;
        fresh.evals = {evalAt(2, 0.5, store::TaskKind::Downstream),
                       evalAt(4, 0.6, store::TaskKind::Downstream)};
        addRouting(fresh, 10, 0.25);
        addRouting(fresh, 20, 0.3);
        addClusters(fresh, 10);
        addClusters(fresh, 20);
        session.appendLive(fresh);
        QCOMPARE(merged.count(), 3);
        const auto update = lastUpdate(merged);
        QVERIFY(update.metrics.empty());
        QVERIFY(update.evalsChanged);
        QVERIFY(update.routingChanged);
        QVERIFY(update.clustersChanged);
        QCOMPARE(session.evals().size(), std::size_t(3));
        const auto *site = session.routing().site("train", "mlp");
        QVERIFY(site);
        QCOMPARE(site->stepList(), (std::vector<std::int64_t> {10, 20}));
        QCOMPARE(site->steps.at(20).meanWeight.at(0), 0.3);
        QCOMPARE(site->steps.at(10).meanWeight.at(0), 0.25);
        const auto *centres = session.clusters().centres(0);
        QVERIFY(centres);
        QCOMPARE(centres->size(), std::size_t(2));
        for (const auto &[step, clusters] : *centres)
            QCOMPARE(clusters.size(), std::size_t(2));
        QCOMPARE(session.clusters().steps(), (std::vector<std::int64_t> {10, 20}));

        // The scores read the merged evals: sentiment now has points at steps 2 and 4.
        const auto &scores = session.primaryScores();
        const auto sentiment = std::find_if(scores.begin(), scores.end(),
                                            [](const auto &t) { return t.task == "sentiment"; });
        QVERIFY(sentiment != scores.end());
        QCOMPARE(sentiment->points.size(), std::size_t(2));

        // A changed value of a held key replaces it (the later row wins, as in the store).
        RunData corrected;
        corrected.evals = {evalAt(4, 0.65, store::TaskKind::Downstream)};
        session.appendLive(corrected);
        QCOMPARE(merged.count(), 4);
        QVERIFY(lastUpdate(merged).evalsChanged);
        QCOMPARE(session.evals().size(), std::size_t(3));
        QCOMPARE(session.evals().back().value, 0.65);
    }

    void rowsWaitForTheDetailAndOtherRunsStayOut()
    {
        MetricStream stream;
        RunSession session(&stream);
        QSignalSpy changed(&session, &RunSession::detailChanged);
        QSignalSpy merged(&session, &RunSession::liveMerged);
        session.watch(kRun);
        QVERIFY(session.isWatching());
        QCOMPARE(session.runId(), kRun);
        QVERIFY(!session.hasDetail());
        QCOMPARE(changed.count(), 1);

        // Pushed after subscribing, before the detail: waits in the subscription.
        stream.push(metricRows(4, 7, 100.0));
        RunData other = metricRows(1, 50, 0.0);
        other.runId = kRun + 1;
        stream.push(std::move(other));
        QTest::qWait(120); // three drain periods: nothing may be merged without a detail
        QCOMPARE(merged.count(), 0);

        session.setDetail(loadedDetail());
        QCOMPARE(changed.count(), 2);
        QTRY_COMPARE(merged.count(), 1);
        QCOMPARE(steps(lastUpdate(merged).metrics), (std::vector<std::int64_t> {6, 7}));
        QCOMPARE(seriesOf(session, "loss/lm").size(), std::size_t(7));

        // A finished run is not watched; its late rows are not merged.
        session.setDetail(loadedDetail(store::RunStatus::Succeeded));
        QVERIFY(!session.isWatching());
        stream.push(metricRows(8, 9, 0.0));
        QTest::qWait(120);
        QCOMPARE(merged.count(), 1);
        QCOMPARE(seriesOf(session, "loss/lm").size(), std::size_t(5));

        session.clear();
        QCOMPARE(session.runId(), std::int64_t(0));
        QVERIFY(!session.hasDetail());
    }

    void recordFollowsTheRunListUntilTheRunFinishes()
    {
        RunSession session(nullptr);
        QSignalSpy recordChanged(&session, &RunSession::recordChanged);
        QSignalSpy finished(&session, &RunSession::runFinished);
        session.setDetail(loadedDetail(store::RunStatus::Queued));
        QCOMPARE(session.status(), store::RunStatus::Queued);
        session.appendLive(metricRows(6, 6, 0.0)); // live metrics: the run has started
        QCOMPARE(session.status(), store::RunStatus::Running);
        QCOMPARE(session.currentStep(), std::int64_t(6));

        store::RunSummary summary;
        summary.id = kRun;
        summary.status = store::RunStatus::Running;
        summary.currentStep = 8;
        summary.totalSteps = 20;
        session.setRecord(summary);
        QCOMPARE(recordChanged.count(), 1);
        session.setRecord(summary); // the list re-read with nothing new
        QCOMPARE(recordChanged.count(), 1);
        QCOMPARE(session.currentStep(), std::int64_t(8));

        store::RunSummary other = summary;
        other.id = kRun + 1;
        other.status = store::RunStatus::Failed;
        session.setRecord(other); // another run: ignored
        QCOMPARE(session.record().status, store::RunStatus::Running);

        summary.status = store::RunStatus::Succeeded;
        summary.currentStep = 20;
        session.setRecord(summary);
        QCOMPARE(recordChanged.count(), 2);
        QCOMPARE(finished.count(), 1);
        QCOMPARE(finished.at(0).at(0).value<std::int64_t>(), kRun);
        QCOMPARE(session.status(), store::RunStatus::Succeeded);
        session.setRecord(summary);
        QCOMPARE(finished.count(), 1); // once, at the transition
    }

    void liveGeneralScoresWithoutBaseScoresAskForAReloadOnce()
    {
        RunSession session(nullptr);
        QSignalSpy stale(&session, &RunSession::detailStale);
        session.setDetail(loadedDetail()); // no base scores
        RunData downstream;
        downstream.evals = {evalAt(4, 0.6, store::TaskKind::Downstream)};
        session.appendLive(downstream);
        QCOMPARE(stale.count(), 0);
        RunData general;
        general.evals = {evalAt(4, 0.6, store::TaskKind::General)};
        session.appendLive(general);
        general.evals = {evalAt(6, 0.6, store::TaskKind::General)};
        session.appendLive(general);
        QCOMPARE(stale.count(), 1);
        QCOMPARE(stale.at(0).at(0).value<std::int64_t>(), kRun);
    }
};

QTEST_GUILESS_MAIN(TestRunSession)
#include "tst_run_session.moc"
