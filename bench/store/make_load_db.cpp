// make_load_db: a run database of the size a lab reaches after months of sweeps, for the load
// measurements (docs/benchmarks.md, "Load"): --runs runs (default 2,000) sharing --rows metric
// rows (default 50,000,000), written through the real RunStore as the recorder writes them:
// eight methods, seeds, learning rates and tags of sweeps; mostly succeeded runs, some failed,
// cancelled or interrupted; per run five metric series, probe and final evaluations with a
// summary, and for mixtures routing statistics. Deterministic for a --seed.
//
//   make_load_db --db=/tmp/load.sqlite [--runs=2000] [--rows=50000000] [--seed=1]
//
// Prints a progress line (runs, rows/s, ETA) on stderr and a JSON summary on stdout.
#include "bench_harness.h"
#include "store/run_store.h"

#include <cstdio>
#include <filesystem>
#include <random>

namespace fs = std::filesystem;
using namespace slim;

namespace {

const char *kMethods[] = {"slim", "lora", "dora", "mixlora", "full", "moslora", "lorahub", "mole"};
const char *kMetrics[] = {"loss/lm", "loss/l1", "lr", "grad_norm", "tokens_per_sec"};
const char *kTasks[] = {"name_gender", "word_class", "reversal", "capitals", "continents"};

store::RunStatus statusFor(std::mt19937 &random)
{
    const int roll = int(random() % 100);
    return roll < 90 ? store::RunStatus::Succeeded
           : roll < 95 ? store::RunStatus::Failed
           : roll < 98 ? store::RunStatus::Cancelled
                       : store::RunStatus::Interrupted;
}

// One run with `steps` logging steps of every metric, evaluations and (mixtures) routing.
std::int64_t writeRun(store::RunStore &db, int index, std::int64_t steps, std::mt19937 &random)
{
    const std::string method = kMethods[index % 8];
    const int seed = 1 + index % 3;
    const double lr = (index / 24 % 2 == 0) ? 1e-4 : 2e-4;
    store::RunRecord r;
    r.name = "sweep " + std::to_string(index / 48) + " " + method + " lr " + (lr < 1.5e-4 ? "1e-4" : "2e-4")
             + " seed " + std::to_string(seed);
    r.method = method;
    r.seed = seed;
    r.specJson = nlohmann::json{{"name", r.name},
                                {"adapter", {{"method", method}, {"lora_rank", 8}}},
                                {"schedule", {{"steps", steps}, {"lr", lr}}},
                                {"seed", seed}}
                     .dump();
    r.tags = {"sweep-" + std::to_string(index / 48), method};
    const auto id = db.createRun(r);

    std::vector<store::MetricRow> rows;
    rows.reserve(size_t(steps) * 5);
    const double floor = 0.8 + 0.1 * double(index % 7);
    for (std::int64_t s = 1; s <= steps; ++s) {
        const double loss = floor + 3.0 / std::sqrt(double(s)) + 0.01 * double(random() % 100) / 100;
        rows.push_back({s, kMetrics[0], loss});
        rows.push_back({s, kMetrics[1], 0.02 / std::sqrt(double(s))});
        rows.push_back({s, kMetrics[2], lr * std::min(1.0, double(s) / 100)});
        rows.push_back({s, kMetrics[3], 0.5 + double(random() % 100) / 100});
        rows.push_back({s, kMetrics[4], 9000 + double(random() % 1000)});
    }
    db.appendMetrics(id, rows);

    std::vector<store::EvalRow> evals;
    for (std::int64_t step = steps / 4; step <= steps; step += steps / 4) {
        for (const char *task : kTasks) {
            store::EvalRow e;
            e.step = step;
            e.task = task;
            e.metric = "acc";
            e.value = 0.4 + 0.5 * double(random() % 100) / 100;
            e.n = 200;
            e.isFinal = step == steps;
            evals.push_back(e);
        }
    }
    db.appendEvalResults(id, evals);
    if (method == "slim" || method == "mixlora" || method == "mole") {
        std::vector<store::RoutingLayerRow> layers;
        std::vector<store::RoutingExpertRow> experts;
        for (std::int64_t step = steps / 10; step <= steps; step += steps / 10) {
            for (int layer = 0; layer < 4; ++layer) {
                layers.push_back({step, "train", layer, "mlp", 4096, 0.2, 0.05, 1.9, 0.1});
                for (int expert = 0; expert < 10; ++expert)
                    experts.push_back({step, "train", layer, "mlp", expert, expert >= 8, 0.1, 0.1});
            }
        }
        db.appendRoutingLayerStats(id, layers);
        db.appendRoutingExpertStats(id, experts);
    }
    const auto status = statusFor(random);
    db.setStatus(id, status, status == store::RunStatus::Failed ? "stopped at step 412: out of memory" : "");
    db.setSummary(id, 0.6 + 0.3 * double(random() % 100) / 100, 0.5, 0.02 * double(random() % 10));
    return std::int64_t(rows.size());
}

} // namespace

int main(int argc, char **argv)
{
    const auto args = bench::parseArgs(
        argc, argv, "make_load_db --db=FILE [--runs=2000] [--rows=50000000] [--seed=1]");
    const auto path = args.get("db", "");
    if (path.empty()) {
        std::fprintf(stderr, "make_load_db: --db=FILE is required\n");
        return 2;
    }
    const auto runs = args.getInt("runs", 2000);
    const auto totalRows = args.getInt("rows", 50000000);
    const std::int64_t steps = std::max<std::int64_t>(10, totalRows / runs / 5);
    fs::remove(path);
    fs::remove(path + "-wal");
    fs::remove(path + "-shm");
    store::RunStore db(path);
    std::mt19937 random(std::uint32_t(args.getInt("seed", 1)));
    const auto start = std::chrono::steady_clock::now();
    std::int64_t rows = 0;
    for (int i = 0; i < runs; ++i) {
        rows += writeRun(db, i, steps, random);
        const double seconds
            = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const double rate = double(rows) / std::max(seconds, 1e-9);
        std::fprintf(stderr, "\rmake_load_db: %d/%lld runs, %lld metric rows, %.0f rows/s, ETA %.0f s ",
                     i + 1, static_cast<long long>(runs), static_cast<long long>(rows), rate,
                     double(runs - i - 1) * seconds / double(i + 1));
    }
    std::fprintf(stderr, "\n");
    const double seconds
        = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cout << nlohmann::json{{"record", "load_db"},
                                {"db", path},
                                {"runs", runs},
                                {"metric_rows", rows},
                                {"steps_per_run", steps},
                                {"seconds", seconds},
                                {"bytes", std::int64_t(fs::file_size(path))}}
                     .dump()
              << "\n";
    return 0;
}
