#include "fixture_store.h"

#include <QProcess>

#include <cmath>
#include <string>

namespace slim::testing {

using namespace slim::store;

namespace {

constexpr std::int64_t kLayers = 2;
constexpr std::int64_t kLoraExperts = 8;
constexpr std::int64_t kIdentityExperts = 2;
constexpr std::int64_t kClusters = 4;
constexpr std::int64_t kDim = 6;

std::int64_t addRun(RunStore &db, const std::string &name, const std::string &method,
                    const std::vector<std::string> &tags, const std::string &notes)
{
    RunRecord r;
    r.name = name;
    r.method = method;
    r.specJson = R"({"name":")" + name + R"(","adapter":{"method":")" + method
                 + R"(","lora_rank":16},"schedule":{"steps":100,"lr":0.0005},"seed":1})";
    r.seed = 1;
    r.gitCommit = "fixture";
    r.tags = tags;
    r.notes = notes;
    return db.createRun(r);
}

void addMetrics(RunStore &db, std::int64_t run, double scale)
{
    std::vector<MetricRow> rows;
    for (std::int64_t s = 1; s <= 100; ++s) {
        rows.push_back({s, "loss/lm", scale * (3.0 - std::log(double(s)) * 0.4)});
        rows.push_back({s, "loss/l1", 0.01 * scale});
        rows.push_back({s, "lr", 5e-4 * std::min(1.0, double(s) / 10.0)});
    }
    db.appendMetrics(run, rows);
}

EvalRow evalRow(std::int64_t step, const std::string &task, TaskKind kind, double value,
                bool isFinal)
{
    EvalRow e;
    e.step = step;
    e.task = task;
    e.split = isFinal ? "test" : "probe64-2";
    e.metric = "acc";
    e.value = value;
    e.stderr_ = 0.02;
    e.n = isFinal ? 200 : 64;
    e.mode = ScoringMode::LogLikelihood;
    e.templateHash = "tpl-" + task;
    e.taskVersion = "1";
    e.isFinal = isFinal;
    e.floor = 0.25;
    e.kind = kind;
    return e;
}

void addEvals(RunStore &db, std::int64_t run, double downstream, double general)
{
    std::vector<EvalRow> rows;
    for (std::int64_t step : {50, 100}) {
        const double t = double(step) / 100.0;
        rows.push_back(evalRow(step, "sentiment", TaskKind::Downstream, 0.5 + t * (downstream - 0.5),
                               false));
        rows.push_back(evalRow(step, "capitals", TaskKind::General, 0.7 - t * (0.7 - general),
                               false));
    }
    rows.push_back(evalRow(100, "sentiment", TaskKind::Downstream, downstream, true));
    rows.push_back(evalRow(100, "capitals", TaskKind::General, general, true));
    db.appendEvalResults(run, rows);
    db.setEnvironment(run, "cpu", R"({"libtorch":"1.13.1"})", R"({"base_model":"fixture-model"})");
    db.setSummary(run, downstream, general, 0.7 - general);
}

void addBaseScores(RunStore &db)
{
    for (const std::string split : {"test", "probe64-2"}) {
        BaseScoreRow row;
        row.key = {"fixture-model", "capitals", split, "acc", ScoringMode::LogLikelihood,
                   "tpl-capitals", 0, "1"};
        row.value = 0.7;
        row.n = split == "test" ? 200 : 64;
        db.putBaseScore(row);
    }
}

void addRoutingAndClusters(RunStore &db, std::int64_t run)
{
    std::vector<RoutingLayerRow> layers;
    std::vector<RoutingExpertRow> experts;
    std::vector<ClusterLayerRow> clusterLayers;
    std::vector<ClusterCentreRow> centres;
    for (std::int64_t step : {50, 100}) {
        for (std::int64_t layer = 0; layer < kLayers; ++layer) {
            const double identity = 0.1 * double(layer + 1) + 0.001 * double(step);
            layers.push_back({step, "train", layer, "mlp", 1000, identity, identity / 2, 1.5, 0.2});
            for (std::int64_t e = 0; e < kLoraExperts + kIdentityExperts; ++e) {
                const bool isIdentity = e >= kLoraExperts;
                const double w = isIdentity ? identity / kIdentityExperts
                                            : (1.0 - identity) / kLoraExperts;
                experts.push_back({step, "train", layer, "mlp", e, isIdentity, w, w});
            }
            ClusterLayerRow c;
            c.step = step;
            c.layer = layer;
            c.scored = 1000;
            c.dplusMean = 0.3;
            c.dplusMax = 2.5;
            c.dplusPositiveShare = 0.2;
            c.dplusHistogram = std::vector<std::int64_t>(40, 1);
            c.histogramMax = 20.0;
            clusterLayers.push_back(c);
            for (std::int64_t k = 0; k < kClusters; ++k) {
                ClusterCentreRow centre;
                centre.step = step;
                centre.layer = layer;
                centre.cluster = k;
                centre.size = 100 + 10 * k;
                centre.drift = 0.01 * double(k + 1) * (step == 50 ? 2.0 : 1.0);
                centre.meanSigma = 1.0;
                for (std::int64_t d = 0; d < kDim; ++d)
                    centre.centre.push_back(float(k * 2 + d) + float(step) * 0.01f);
                centres.push_back(centre);
            }
        }
    }
    db.appendRoutingLayerStats(run, layers);
    db.appendRoutingExpertStats(run, experts);
    db.appendClusterLayerStats(run, clusterLayers);
    db.appendClusterCentres(run, centres);
}

} // namespace

std::vector<FixtureRun> writeFixtureStore(const std::string &path)
{
    RunStore db(path);
    addBaseScores(db);
    std::vector<FixtureRun> runs;

    const auto slim = addRun(db, "slim fixture", "slim", {"demo", "slim"}, "best so far");
    db.startRun(slim);
    addMetrics(db, slim, 1.0);
    addEvals(db, slim, 0.8, 0.65);
    addRoutingAndClusters(db, slim);
    db.updateProgress(slim, 100, 100, 1.0);
    db.setStatus(slim, RunStatus::Succeeded);
    runs.push_back({slim, "slim fixture", "slim", RunStatus::Succeeded});

    const auto lora = addRun(db, "lora fixture", "lora", {"demo"}, "");
    db.startRun(lora);
    addMetrics(db, lora, 1.2);
    addEvals(db, lora, 0.85, 0.45);
    db.updateProgress(lora, 100, 100, 1.0);
    db.setStatus(lora, RunStatus::Succeeded);
    runs.push_back({lora, "lora fixture", "lora", RunStatus::Succeeded});

    const auto failed = addRun(db, "mixlora fail", "mixlora", {}, "");
    db.startRun(failed);
    db.updateProgress(failed, 10, 100, 0.1);
    db.setStatus(failed, RunStatus::Failed, "out of memory", "std::bad_alloc at step 10");
    runs.push_back({failed, "mixlora fail", "mixlora", RunStatus::Failed});

    const auto queued = addRun(db, "dora queued", "dora", {}, "");
    runs.push_back({queued, "dora queued", "dora", RunStatus::Queued});
    return runs;
}

void addBulkRuns(RunStore &db, int count)
{
    static const char *methods[] = {"lora", "slim", "dora"};
    for (int i = 0; i < count; ++i) {
        RunRecord r;
        r.name = "bulk " + std::to_string(i);
        r.method = methods[i % 3];
        r.status = RunStatus::Succeeded;
        const auto id = db.createRun(r);
        db.setSummary(id, 0.5 + 0.0001 * i, 0.6, 0.05);
    }
}

bool makeTinyModel(const QString &dir, QString *error)
{
    QProcess p;
    p.start(QStringLiteral(SLIMCTL_PATH),
            {QStringLiteral("init-model"), QStringLiteral("--out"), dir,
             QStringLiteral("--hidden-size"), QStringLiteral("32"),
             QStringLiteral("--intermediate-size"), QStringLiteral("64"),
             QStringLiteral("--layers"), QStringLiteral("2"), QStringLiteral("--heads"),
             QStringLiteral("4")});
    const bool ok = p.waitForFinished(120000) && p.exitStatus() == QProcess::NormalExit
                    && p.exitCode() == 0;
    if (!ok && error)
        *error = QString::fromUtf8(p.readAllStandardError());
    return ok;
}

std::string tinySpecJson(const QString &modelDir, const std::string &method, int steps)
{
    const std::string adapter
        = method == "slim"
              ? R"({"method":"slim","lora_rank":2,"lora_alpha":4,"num_lora_experts":3,"num_clusters":2})"
              : R"({"method":")" + method + R"(","lora_rank":2,"lora_alpha":4})";
    return R"({"name":"tiny )" + method + R"(","base_model":")" + modelDir.toStdString()
           + R"(","seed":3,"adapter":)" + adapter
           + R"(,"data":{"setting":"mds","tasks":["name_gender","reversal"],"train_examples_per_task":64},)"
           + R"("schedule":{"steps":)" + std::to_string(steps)
           + R"(,"batch_size":4,"lr":0.001,"log_every":2,"eval_every":4,"checkpoint_every":2,"max_length":48},)"
           + R"("eval":{"general_tasks":["capitals"],"probe_items":6,"batch_size":16,"final_full":false}})";
}

} // namespace slim::testing
