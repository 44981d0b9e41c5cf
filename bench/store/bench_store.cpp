// bench_store: how fast the run store takes metric rows and serves a long series for display.
//
//  ingest:  rows/s of RunStore::appendMetrics in batches (the recorder's path: one transaction
//           and multi-row prepared inserts per batch), against the same rows inserted one
//           transaction per row (what a naive logger does), measured in the same run.
//  display: time to load a 1M-point series downsampled to 2,000 buckets (RunStore::series,
//           min/max/last per bucket in SQL), against reading the 1M raw rows.
// Goals (docs/benchmarks.md): ingest >= 500k rows/s; 1M-point display load <= 50 ms.
#include "bench_harness.h"
#include "store/run_store.h"
#include "store/statement.h"
#include "store/transaction.h"

#include <cmath>
#include <filesystem>

namespace fs = std::filesystem;
using namespace slim;
using namespace slim::bench;

namespace {

std::vector<store::MetricRow> makeRows(std::int64_t firstStep, std::int64_t steps)
{
    // A logging step writes a handful of metrics, as the trainer does.
    static const char *names[] = {"loss/lm", "loss/l1", "loss/aux", "lr", "grad_norm"};
    std::vector<store::MetricRow> rows;
    rows.reserve(size_t(steps) * 5);
    for (std::int64_t s = firstStep; s < firstStep + steps; ++s) {
        for (const char *name : names)
            rows.push_back({s, name, std::sin(double(s)) + 2.0});
    }
    return rows;
}

std::int64_t newRun(store::RunStore &db, const std::string &name)
{
    store::RunRecord r;
    r.name = name;
    r.method = "bench";
    return db.createRun(r);
}

} // namespace

int main(int argc, char **argv)
{
    const auto args = parseArgs(argc, argv,
                                "bench_store [--out FILE] [--repeats N] [--quick] [--dir=PATH]");
    JsonLines out(args.out);
    out.write(machineInfo("bench_store"));
    const fs::path dir = args.get("dir", (fs::temp_directory_path() / "slim-bench-store").string());
    fs::remove_all(dir);
    fs::create_directories(dir);
    store::RunStore db((dir / "bench.sqlite").string());

    // --- ingest ---------------------------------------------------------------------------
    const std::int64_t batchSteps = 2000; // 10,000 rows per batch
    const std::int64_t batches = args.quick ? 10 : 100; // 1M rows per repeat
    std::int64_t nextStep = 0;
    RepeatOptions repeat = args.repeat;
    repeat.warmup = 1;
    repeat.repeats = args.quick ? 2 : std::min(args.repeat.repeats, 5);
    repeat.min_repeats = std::min(repeat.min_repeats, repeat.repeats);
    const auto batched = measure([&] {
        const auto run = newRun(db, "batched");
        for (std::int64_t b = 0; b < batches; ++b) {
            db.appendMetrics(run, makeRows(nextStep, batchSteps));
            nextStep += batchSteps;
        }
    }, repeat);
    const double batchedRows = double(batches * batchSteps * 5);

    // The naive baseline: one transaction (one fsync-free commit in WAL) per row.
    const std::int64_t naiveRows = args.quick ? 2000 : 20000;
    const auto naive = measure([&] {
        const auto run = newRun(db, "naive");
        for (const auto &row : makeRows(0, naiveRows / 5))
            db.appendMetrics(run, {row});
    }, repeat);
    const double batchedRate = batchedRows / batched.median();
    const double naiveRate = double(naiveRows) / naive.median();
    out.write({{"record", "ingest"},
               {"rows_per_repeat", batchedRows},
               {"batch_rows", batchSteps * 5},
               {"batched", batched.toJson()},
               {"batched_rows_per_s", batchedRate},
               {"naive_rows_per_repeat", naiveRows},
               {"naive", naive.toJson()},
               {"naive_rows_per_s", naiveRate},
               {"speedup_vs_naive", batchedRate / naiveRate},
               {"goal_rows_per_s", 500000},
               {"goal_met", batchedRate >= 500000},
               {"loadavg", loadAverage()}});

    // --- display load of a 1M-point series --------------------------------------------------
    const std::int64_t points = args.quick ? 100000 : 1000000;
    const auto run = newRun(db, "long series");
    for (std::int64_t s = 0; s < points; s += 100000) {
        std::vector<store::MetricRow> rows;
        rows.reserve(100000);
        for (std::int64_t i = s; i < s + 100000; ++i)
            rows.push_back({i, "loss/lm", 3.0 / std::sqrt(double(i + 1))});
        db.appendMetrics(run, rows);
    }
    RepeatOptions loads = args.repeat;
    loads.repeats = args.quick ? 3 : std::max(args.repeat.repeats, 9);
    size_t buckets = 0;
    const auto display = measure([&] { buckets = db.series(run, "loss/lm", 2000).size(); }, loads);
    std::int64_t rawCount = 0;
    const auto raw = measure([&] {
        store::Statement q(db.database(),
                           "SELECT step, value FROM metrics WHERE run_id = ?1 ORDER BY step");
        q.bind(1, run);
        rawCount = 0;
        while (q.step())
            ++rawCount;
    }, loads);
    out.write({{"record", "series_display"},
               {"points", points},
               {"buckets", buckets},
               {"downsampled", display.toJson()},
               {"downsampled_ms", display.median() * 1e3},
               {"raw_rows_read", rawCount},
               {"raw", raw.toJson()},
               {"raw_ms", raw.median() * 1e3},
               {"ratio_downsampled_vs_raw", display.median() / raw.median()},
               {"goal_ms", 50},
               {"goal_met", display.median() * 1e3 <= 50},
               {"loadavg", loadAverage()}});
    fs::remove_all(dir);
    return 0;
}
