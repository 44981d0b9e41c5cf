// bench_gui: how the window keeps up, measured offscreen (QT_QPA_PLATFORM=offscreen).
//
//  curves:  replot of the compare view's curves for 10 runs x 100,000 points (each series
//           read from a real store downsampled for display, as the window does), against
//           the same 1M points plotted raw.
//  heatmap: one scrubber step of the routing heatmap of a 32-layer x 10-expert x 1,000-step
//           run (fill the colour map from the index + replot), against the replot of an empty
//           plot of the same size (the floor).
//  stall:   the longest gap of the GUI thread's event loop (a 5 ms timer) while a real training
//           job runs with its run view open and live, against the same window idle.
// Goals (docs/benchmarks.md): replots under 16 ms; longest stall under 50 ms.
#include "bench_harness.h"
#include "compare/compare_view.h"
#include "compare/curves_panel.h"

#include <QTabWidget>
#include "job_manager.h"
#include "main/main_window.h"
#include "plot/qcustomplot_include.h"
#include "routing/routing_view.h"
#include "run_catalog.h"
#include "run_session.h"
#include "runview/run_view.h"
#include "spec_service.h"
#include "store/run_store.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSlider>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

#include <map>
#include <random>
#include <time.h>

using namespace slim;
using namespace slim::bench;

namespace {

// 10 runs x 100k points as the window draws them: each run's series read from a real store
// (RunStore::series, 2,000 buckets, the catalog's default) into the compare view's curves;
// the baseline is the same 1M points plotted raw (adaptive sampling on).
nlohmann::json curves(const Args &args)
{
    constexpr int kRuns = 10, kPoints = 100000;
    QTemporaryDir dir;
    store::RunStore db(dir.filePath(QStringLiteral("curves.sqlite")).toStdString());
    QList<services::RunDetailPtr> details;
    QElapsedTimer load;
    double loadMs = 0;
    for (int r = 0; r < kRuns; ++r) {
        store::RunRecord record;
        record.name = "run " + std::to_string(r);
        record.method = "lora";
        const auto id = db.createRun(record);
        std::vector<store::MetricRow> rows;
        for (int i = 0; i < kPoints; ++i)
            rows.push_back({i, "loss/lm", 3.0 / std::sqrt(i + 1.0) + 0.05 * r + 0.02 * std::sin(i * 0.37)});
        db.appendMetrics(id, rows);
        auto detail = std::make_shared<services::RunDetail>();
        detail->record = *db.getRun(id);
        load.restart();
        detail->series["loss/lm"] = db.series(id, "loss/lm", 2000);
        loadMs += load.nsecsElapsed() / 1e6;
        details.push_back(detail);
    }
    ui::CompareView view;
    view.resize(1300, 700);
    view.show();
    view.setRuns(details);
    auto *panel = view.curvesPanel();
    panel->setMetric(QStringLiteral("loss/lm"));
    view.tabs()->setCurrentWidget(panel);
    QCoreApplication::processEvents();
    auto *app = panel->plot();

    QCustomPlot raw;
    raw.resize(app->size());
    for (int r = 0; r < kRuns; ++r) {
        QVector<double> x(kPoints), y(kPoints);
        for (int i = 0; i < kPoints; ++i) {
            x[i] = i;
            y[i] = 3.0 / std::sqrt(i + 1.0) + 0.05 * r + 0.02 * std::sin(i * 0.37);
        }
        raw.addGraph()->addData(x, y, true);
    }
    raw.rescaleAxes();
    RepeatOptions repeat = args.repeat;
    repeat.repeats = std::max(repeat.repeats, 15);
    const auto t = measureInterleaved(
        {{"window", [&] { app->replot(QCustomPlot::rpImmediateRefresh); }},
         {"raw", [&] { raw.replot(QCustomPlot::rpImmediateRefresh); }}},
        repeat);
    return {{"record", "replot_curves"}, {"runs", kRuns}, {"points_per_run", kPoints},
            {"size", std::to_string(app->width()) + "x" + std::to_string(app->height())},
            {"store_load_ms_all_runs", loadMs}, {"window", t[0].toJson()},
            {"window_ms", t[0].median() * 1e3}, {"raw_points", t[1].toJson()},
            {"raw_points_ms", t[1].median() * 1e3}, {"ratio_vs_raw", pairedRatio(t[0], t[1])},
            {"goal_ms", 16}, {"goal_met", t[0].median() * 1e3 < 16}, {"loadavg", loadAverage()}};
}

services::RunDetailPtr syntheticRouting(int layers, int experts, int identity, int steps)
{
    auto detail = std::make_shared<services::RunDetail>();
    detail->record.id = 1;
    detail->record.method = "slim";
    detail->record.status = store::RunStatus::Succeeded;
    std::mt19937 rng(7);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    auto &rows = detail->data.routingExperts;
    rows.reserve(size_t(layers) * size_t(experts) * size_t(steps));
    for (int s = 1; s <= steps; ++s) {
        for (int l = 0; l < layers; ++l) {
            detail->data.routingLayers.push_back({s, "train", l, "mlp", 1000, u(rng), u(rng) / 2, 1.5, 0.2});
            for (int e = 0; e < experts; ++e) {
                const double w = u(rng) / experts;
                rows.push_back({s, "train", l, "mlp", e, e >= experts - identity, w, w});
            }
        }
    }
    return detail;
}

nlohmann::json heatmap(const Args &args)
{
    services::RunSession session(nullptr);
    ui::RoutingView view(&session);
    view.resize(1300, 700);
    view.show();
    QElapsedTimer load;
    load.start();
    session.setDetail(syntheticRouting(32, 10, 2, 1000));
    const double loadMs = load.nsecsElapsed() / 1e6;
    auto *heat = view.findChild<QCustomPlot *>(QStringLiteral("routingHeatmap"));
    auto *slider = view.findChild<QSlider *>(QStringLiteral("stepSlider"));
    if (!heat || !slider)
        throw std::runtime_error("routing view without heatmap or slider");
    QCustomPlot empty;
    empty.resize(heat->size());
    std::mt19937 rng(3);
    std::uniform_int_distribution<int> pick(slider->minimum(), slider->maximum());
    RepeatOptions repeat = args.repeat;
    repeat.repeats = std::max(repeat.repeats, 25);
    const auto t = measureInterleaved(
        {{"scrub", [&] {
              slider->setValue(pick(rng));
              heat->replot(QCustomPlot::rpImmediateRefresh);
          }},
         {"empty", [&] { empty.replot(QCustomPlot::rpImmediateRefresh); }}},
        repeat);
    return {{"record", "replot_heatmap"}, {"layers", 32}, {"experts", 10}, {"steps", 1000},
            {"set_detail_ms", loadMs}, {"scrub", t[0].toJson()},
            {"scrub_ms", t[0].median() * 1e3}, {"empty_plot", t[1].toJson()},
            {"empty_plot_ms", t[1].median() * 1e3}, {"ratio_vs_empty_plot", pairedRatio(t[0], t[1])},
            {"goal_ms", 16}, {"goal_met", t[0].median() * 1e3 < 16}, {"loadavg", loadAverage()}};
}

// One clock for event deliveries and timer gaps, so a gap can be matched with what ran in it.
double benchNowMs()
{
    static QElapsedTimer clock = [] {
        QElapsedTimer c;
        c.start();
        return c;
    }();
    return double(clock.nsecsElapsed()) / 1e6;
}

// Times every outermost event delivery of the GUI thread, to name what a long stall was
// spent on: the receiver's class and object name and the event type.
class TimedApplication : public QApplication
{
public:
    using QApplication::QApplication;

    struct Delivery
    {
        double startMs, ms;
        std::string receiver;
        int event;
    };
    bool notify(QObject *receiver, QEvent *event) override
    {
        if (!m_recording || m_depth > 0 || QThread::currentThread() != thread())
            return QApplication::notify(receiver, event);
        ++m_depth;
        const double start = benchNowMs();
        const bool result = QApplication::notify(receiver, event);
        const double ms = benchNowMs() - start;
        --m_depth;
        if (ms >= kRecordMs) {
            const auto *meta = receiver ? receiver->metaObject() : nullptr;
            std::string who = meta ? meta->className() : "?";
            if (receiver && !receiver->objectName().isEmpty())
                who += " '" + receiver->objectName().toStdString() + "'";
            m_deliveries.push_back({start, ms, who, int(event->type())});
        }
        return result;
    }
    void record(bool on) { m_recording = on; }
    // The `count` slowest deliveries, slowest first.
    nlohmann::json slowest(size_t count) const
    {
        auto sorted = m_deliveries;
        std::sort(sorted.begin(), sorted.end(),
                  [](const Delivery &a, const Delivery &b) { return a.ms > b.ms; });
        sorted.resize(std::min(count, sorted.size()));
        return toJson(sorted, 0);
    }
    // Deliveries of at least 1 ms that overlapped [fromMs, toMs], in order.
    nlohmann::json during(double fromMs, double toMs) const
    {
        std::vector<Delivery> in;
        for (const auto &d : m_deliveries)
            if (d.startMs + d.ms >= fromMs && d.startMs <= toMs)
                in.push_back(d);
        return toJson(in, fromMs);
    }
    // Where the GUI thread's time went, summed per (receiver, event type), largest first.
    nlohmann::json byReceiver(size_t count) const
    {
        std::map<std::pair<std::string, int>, std::pair<double, int>> sums;
        for (const auto &d : m_deliveries) {
            auto &[ms, calls] = sums[{d.receiver, d.event}];
            ms += d.ms;
            ++calls;
        }
        std::vector<std::pair<double, nlohmann::json>> rows;
        for (const auto &[key, value] : sums)
            rows.push_back({value.first, {{"receiver", key.first}, {"event_type", key.second},
                                          {"total_ms", value.first}, {"deliveries", value.second}}});
        std::sort(rows.begin(), rows.end(),
                  [](const auto &a, const auto &b) { return a.first > b.first; });
        nlohmann::json out = nlohmann::json::array();
        for (size_t i = 0; i < std::min(count, rows.size()); ++i)
            out.push_back(rows[i].second);
        return out;
    }
    size_t slowCount() const
    {
        return size_t(std::count_if(m_deliveries.begin(), m_deliveries.end(),
                                    [](const Delivery &d) { return d.ms >= kSlowMs; }));
    }

private:
    static nlohmann::json toJson(const std::vector<Delivery> &list, double originMs)
    {
        nlohmann::json out = nlohmann::json::array();
        for (const auto &d : list)
            out.push_back({{"ms", d.ms}, {"receiver", d.receiver}, {"event_type", d.event},
                           {"at_ms", d.startMs - originMs}});
        return out;
    }
    static constexpr double kRecordMs = 1, kSlowMs = 10;
    bool m_recording = false;
    int m_depth = 0;
    std::vector<Delivery> m_deliveries;
};

double threadCpuMs()
{
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return double(t.tv_sec) * 1e3 + double(t.tv_nsec) / 1e6;
}

// The longest gaps of a 5 ms timer over `seconds` (or until `done` says stop), and how much
// of the longest the GUI thread spent computing (the rest it waited for a core or for I/O).
struct Gaps
{
    double maxMs = 0, p99Ms = 0, maxGapCpuMs = 0, maxGapEndMs = 0;
    int ticks = 0;
};

Gaps watchEventLoop(const std::function<bool()> &done, double maxSeconds)
{
    std::vector<double> gaps;
    double worst = -1, worstCpu = 0, worstEnd = 0, cpu = threadCpuMs();
    QElapsedTimer clock, total;
    clock.start();
    total.start();
    QTimer timer;
    timer.setTimerType(Qt::PreciseTimer);
    timer.setInterval(5);
    QEventLoop loop;
    QObject::connect(&timer, &QTimer::timeout, &loop, [&] {
        gaps.push_back(clock.nsecsElapsed() / 1e6 - 5.0);
        clock.restart();
        const double now = threadCpuMs();
        if (gaps.back() > worst) {
            worst = gaps.back();
            worstCpu = now - cpu;
            worstEnd = benchNowMs();
        }
        cpu = now;
        if (done() || total.elapsed() > maxSeconds * 1000)
            loop.quit();
    });
    timer.start();
    loop.exec();
    Gaps g;
    g.ticks = int(gaps.size());
    if (!gaps.empty()) {
        std::sort(gaps.begin(), gaps.end());
        g.maxMs = gaps.back();
        g.p99Ms = gaps[size_t(0.99 * double(gaps.size() - 1))];
        g.maxGapCpuMs = worstCpu;
        g.maxGapEndMs = worstEnd;
    }
    return g;
}

nlohmann::json stall(const Args &args)
{
    QTemporaryDir dir;
    const auto paths = jobs::WorkbenchPaths::resolve(dir.filePath(QStringLiteral("runs.sqlite")).toStdString());
    const auto model = args.get("model", paths.builtin_model.string()); // the workbench's own
    services::MetricStream stream;
    services::JobManager jobs(paths, &stream);
    services::RunCatalog catalog(QString::fromStdString(paths.database.string()));
    ui::MainWindow window(&catalog, &jobs, &stream);
    window.resize(1366, 768);
    window.show();

    const auto idle = watchEventLoop([] { return false; }, args.quick ? 2 : 10);

    auto spec = services::presetSpec(QStringLiteral("builtin-slim"));
    spec[QStringLiteral("base_model")] = QString::fromStdString(model);
    auto schedule = spec[QStringLiteral("schedule")].toObject();
    schedule[QStringLiteral("steps")] = args.quick ? 10 : 60;
    schedule[QStringLiteral("eval_every")] = args.quick ? 5 : 20;
    schedule[QStringLiteral("log_every")] = 1;
    spec[QStringLiteral("schedule")] = schedule;
    QString error;
    const auto id = jobs.submitRun(QString::fromUtf8(QJsonDocument(spec).toJson()), {}, std::nullopt,
                                   services::JobManager::Placement::Next, &error);
    if (!id)
        throw std::runtime_error("the job was refused: " + error.toStdString());
    QCoreApplication::processEvents();
    window.openRun(jobs.job(id)->runId)->setCurrentTab(QStringLiteral("Routing"));
    QElapsedTimer wall;
    wall.start();
    auto *app = static_cast<TimedApplication *>(QCoreApplication::instance());
    app->record(true);
    const auto busy = watchEventLoop([&] { return services::isFinished(jobs.job(id)->state); }, 1800);
    app->record(false);
    const auto state = services::jobStateName(jobs.job(id)->state).toStdString();
    return {{"record", "gui_stall"}, {"model", model}, {"job_state", state},
            {"job_seconds", wall.elapsed() / 1000.0}, {"timer_ms", 5},
            {"idle_max_ms", idle.maxMs}, {"idle_p99_ms", idle.p99Ms}, {"idle_ticks", idle.ticks},
            {"training_max_ms", busy.maxMs}, {"training_p99_ms", busy.p99Ms},
            {"training_ticks", busy.ticks}, {"training_max_gap_gui_cpu_ms", busy.maxGapCpuMs},
            {"slow_deliveries", app->slowCount()}, {"slowest_deliveries", app->slowest(8)},
            {"busiest_receivers", app->byReceiver(8)},
            {"in_longest_gap", app->during(busy.maxGapEndMs - busy.maxMs - 5, busy.maxGapEndMs)},
            {"goal_ms", 50}, {"goal_met", busy.maxMs < 50},
            {"loadavg", loadAverage()}};
}

} // namespace

int main(int argc, char **argv)
{
    qputenv("QT_QPA_PLATFORM", QByteArrayLiteral("offscreen"));
    TimedApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("slim-bench"));
    const auto args = parseArgs(argc, argv,
                                "bench_gui [--out FILE] [--repeats N] [--quick] [--model=DIR] "
                                "[--only=curves|heatmap|stall]");
    JsonLines out(args.out);
    out.write(machineInfo("bench_gui"));
    const auto only = args.get("only", "");
    if (only.empty() || only == "curves")
        out.write(curves(args));
    if (only.empty() || only == "heatmap")
        out.write(heatmap(args));
    if (only.empty() || only == "stall")
        out.write(stall(args));
    return 0;
}
