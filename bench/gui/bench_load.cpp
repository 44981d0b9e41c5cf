// bench_load: the window on a large database (make_load_db: 2,000 runs, 50M metric rows),
// offscreen, with the real catalog, job manager and main window:
//
//  open:   from creating the window's services to its runs table holding every run
//  filter: a text filter typed into the listing, until the filtered list is shown
//  run:    opening a run's view until its detail (series, scores, routing) is shown; over
//          --opens runs, median and worst
//  memory: the process's resident memory after the open and after every run opened and closed
//
// The baseline: the same on a small database (e.g. 20 runs and 500k rows), measured by the same
// script in a process of its own (bench/run_load.sh). Goals (docs/benchmarks.md): open < 1 s,
// run < 300 ms, memory bounded.
//
//   bench_load --db=/tmp/load.sqlite [--label=load] [--opens=20] [--out FILE]
#include "bench_harness.h"
#include "job_manager.h"
#include "main/main_window.h"
#include "metric_stream.h"
#include "run_catalog.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTimer>

#include <algorithm>
#include <fstream>

using namespace slim;

namespace {

std::int64_t residentBytes()
{
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmRSS:", 0) == 0)
            return std::stoll(line.substr(6)) * 1024;
    }
    return -1;
}

// Runs the event loop until `done` or `timeoutMs`; returns the elapsed milliseconds (-1 on
// timeout). `done` is checked after every signal the caller connects to `loop.quit`.
template<typename Done>
double waitMs(QEventLoop &loop, const QElapsedTimer &clock, Done done, int timeoutMs = 60000)
{
    QTimer timeout;
    timeout.setSingleShot(true);
    QObject::connect(&timeout, &QTimer::timeout, &loop, &QEventLoop::quit);
    timeout.start(timeoutMs);
    while (!done() && timeout.isActive())
        loop.exec();
    QCoreApplication::processEvents(); // what the signal queued for the widgets
    return done() ? double(clock.nsecsElapsed()) / 1e6 : -1;
}

nlohmann::json measure(const std::string &db, int opens, const std::string &label)
{
    QEventLoop loop;
    QElapsedTimer clock;
    clock.start();
    const auto paths = jobs::WorkbenchPaths::resolve(db);
    services::MetricStream stream;
    services::JobManager jobs(paths, &stream);
    services::RunCatalog catalog(QString::fromStdString(db));
    ui::MainWindow window(&catalog, &jobs, &stream);
    window.resize(1366, 768);
    window.show();
    services::RunSummaries listed;
    bool haveList = false;
    QObject::connect(&catalog, &services::RunCatalog::runsListed, &loop,
                     [&](const services::RunSummaries &runs) {
                         listed = runs;
                         haveList = true;
                         loop.quit();
                     });
    const double openMs = waitMs(loop, clock, [&] { return haveList; });
    const auto runs = listed.size();
    const auto memoryOpen = residentBytes();

    haveList = false;
    clock.restart();
    store::RunFilter filter;
    filter.text = "sweep 7 slim";
    catalog.setFilter(filter);
    const double filterMs = waitMs(loop, clock, [&] { return haveList; });
    const auto filtered = listed.size();
    catalog.setFilter({});
    haveList = false;
    waitMs(loop, clock, [&] { return haveList; });

    std::vector<double> runMs;
    std::vector<std::int64_t> memory;
    std::int64_t loadedId = 0;
    QObject::connect(&catalog, &services::RunCatalog::detailLoaded, &loop,
                     [&](const services::RunDetailPtr &detail) {
                         loadedId = detail->record.id;
                         loop.quit();
                     });
    const auto step = std::max<size_t>(1, listed.size() / size_t(std::max(1, opens)));
    for (size_t i = 0; i < listed.size() && int(runMs.size()) < opens; i += step) {
        const auto id = listed[i].id;
        loadedId = 0;
        clock.restart();
        window.openRun(id);
        runMs.push_back(waitMs(loop, clock, [&] { return loadedId == id; }));
        // Closed again, as one looks through runs: memory must come back, not pile up.
        Q_EMIT window.documents()->tabCloseRequested(window.documents()->currentIndex());
        QCoreApplication::processEvents();
        memory.push_back(residentBytes());
    }
    auto sorted = runMs;
    std::sort(sorted.begin(), sorted.end());
    return {{"record", "load"},
            {"label", label},
            {"db", db},
            {"runs_listed", runs},
            {"open_ms", openMs},
            {"filter_ms", filterMs},
            {"filtered_runs", filtered},
            {"run_open_ms", runMs},
            {"run_open_median_ms", sorted.empty() ? -1 : sorted[sorted.size() / 2]},
            {"run_open_max_ms", sorted.empty() ? -1 : sorted.back()},
            {"rss_after_open_bytes", memoryOpen},
            {"rss_after_each_run_bytes", memory}};
}

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    const auto args = bench::parseArgs(
        argc, argv, "bench_load --db=FILE [--label=load] [--opens=20] [--out FILE]");
    bench::JsonLines out(args.out);
    out.write(bench::machineInfo("bench_load"));
    out.write(measure(args.get("db", ""), int(args.getInt("opens", 20)), args.get("label", "load")));
    return 0;
}
