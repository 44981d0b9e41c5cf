// slimctl with a Hugging Face checkpoint, as a user runs it: train LoRA, DoRA, SLIM and full
// fine-tuning on a tiny random Qwen2 checkpoint (bf16, 2 shards), keep only the checkpoints the
// policy says, pin and prune, export PEFT / workbench / merged, and score the exports. Every
// export is checked against an independent implementation of transformers' and PEFT's
// semantics (tests/reference/hf_reference.py on Debian's python3-torch).
#include "slimctl_process.h"
#include "store/run_store.h"

#include <nlohmann/json.hpp>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <set>

namespace {

using Result = slim::test::ProcessResult;

const QString kPython = "/usr/bin/python3";

QString referenceScript()
{
    return QFileInfo(QStringLiteral(__FILE__)).absolutePath() + "/../reference/hf_reference.py";
}

// The token ids every score compares: BOS and bytes of a short text.
const QString kIds = "256,84,104,101,32,99,97,112,105,116,97,108,32,111,102,32,70,114,97,110,99,101";

std::vector<double> logProbsOf(const nlohmann::json &json)
{
    std::vector<double> out;
    for (const auto &v : json["logprobs"])
        out.push_back(v.is_null() ? 0.0 : v.get<double>());
    return out;
}

double maxDifference(const std::vector<double> &a, const std::vector<double> &b)
{
    if (a.size() != b.size() || a.empty())
        return 1e9;
    double worst = 0;
    for (size_t i = 0; i < a.size(); ++i)
        worst = std::max(worst, std::abs(a[i] - b[i]));
    return worst;
}

class TestSlimctlPortability : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_db, m_base;
    std::map<std::string, std::int64_t> m_runs; // method -> run id

    Result run(const QString &program, const QStringList &args)
    {
        return slim::test::runProcess(program, args, m_dir.path() + "/home");
    }

    Result slimctl(const QStringList &args)
    {
        return run(SLIMCTL_PATH, QStringList{"--db", m_db, "--quiet"} + args);
    }

    nlohmann::json reference(const QStringList &args)
    {
        auto r = run(kPython, QStringList{referenceScript()} + args);
        if (r.code != 0)
            qWarning("%s", qPrintable(r.err));
        return r.code == 0 ? nlohmann::json::parse(r.out.toStdString().substr(r.out.lastIndexOf('{')))
                           : nlohmann::json();
    }

    std::vector<double> score(const QString &model, const QString &adapter = {})
    {
        QStringList args{"score", "--model", model, "--ids", kIds, "--json"};
        if (!adapter.isEmpty())
            args << "--adapter" << adapter;
        auto r = slimctl(args);
        if (r.code != 0)
            qWarning("%s", qPrintable(r.err));
        return r.code == 0 ? logProbsOf(nlohmann::json::parse(r.out.toStdString())) : std::vector<double>{};
    }

    std::vector<double> referenceScore(const QString &model, const QString &adapter = {})
    {
        QStringList args{"logprobs", "--model", model, "--ids", kIds};
        if (!adapter.isEmpty())
            args << "--adapter" << adapter;
        return logProbsOf(reference(args));
    }

    nlohmann::json show(std::int64_t run)
    {
        auto r = slimctl({"show", QString::number(run), "--json"});
        return r.code == 0 ? nlohmann::json::parse(r.out.toStdString()) : nlohmann::json();
    }

    QString checkpointOf(std::int64_t run)
    {
        return QString::fromStdString(show(run)["checkpoints"].back()["path"].get<std::string>());
    }

    std::int64_t train(const std::string &method, nlohmann::json adapter)
    {
        adapter["method"] = method;
        const nlohmann::json spec = {
            {"name", "portable " + method},
            {"seed", 5},
            {"adapter", adapter},
            {"data", {{"setting", "mds"}, {"tasks", {"name_gender", "reversal"}},
                      {"train_examples_per_task", 48}}},
            {"schedule", {{"steps", 6}, {"batch_size", 4}, {"lr", 5e-3}, {"log_every", 2},
                          {"eval_every", 3}, {"checkpoint_every", 1}, {"keep_checkpoints", 2},
                          {"max_length", 40}}},
            {"eval", {{"general_tasks", {"capitals"}}, {"probe_items", 4}, {"batch_size", 8},
                      {"final_full", false}}}};
        const auto path = m_dir.path() + "/" + QString::fromStdString(method) + ".json";
        std::ofstream(path.toStdString()) << spec.dump(2);
        auto r = slimctl({"train", path, "--model", m_base});
        if (r.code != 0) {
            qWarning("%s", qPrintable(r.err));
            return -1;
        }
        const auto match = QRegularExpression(R"(run (\d+) \()").match(r.err);
        return match.hasMatch() ? match.captured(1).toLongLong() : -1;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_db = m_dir.path() + "/runs.sqlite";
        m_base = m_dir.path() + "/qwen2-tiny";
        QVERIFY(!reference({"make-checkpoint", "--out", m_base, "--arch", "qwen2", "--dtype", "bf16",
                            "--shards", "2", "--max-pos", "128", "--init-std", "0.05"})
                     .is_null());
        const nlohmann::json small = {{"lora_rank", 4}, {"lora_alpha", 8}, {"l1_lambda", 0.0}};
        auto mixture = small;
        mixture["num_lora_experts"] = 3;
        mixture["num_clusters"] = 2;
        auto lora = small;
        lora["targets"] = "all";
        auto loramoe = small;
        loramoe["num_lora_experts"] = 3;
        for (const auto &[method, adapter] : std::vector<std::pair<std::string, nlohmann::json>>{
                 {"lora", lora}, {"dora", small}, {"slim", mixture}, {"loramoe", loramoe},
                 {"full", nlohmann::json::object()}}) {
            m_runs[method] = train(method, adapter);
            QVERIFY2(m_runs[method] > 0, method.c_str());
        }
    }

    void checkpointsFollowTheRetentionPolicy()
    {
        // Checkpoint every step of 6, keep the last 2 and the evaluated ones (steps 3 and 6).
        auto s = show(m_runs["lora"]);
        std::vector<std::int64_t> steps;
        for (const auto &c : s["checkpoints"])
            steps.push_back(c["step"].get<std::int64_t>());
        QCOMPARE(steps, (std::vector<std::int64_t>{3, 5, 6}));
        QVERIFY(s["disk_bytes"].get<std::int64_t>() > 0);
        QVERIFY(!QFileInfo::exists(m_dir.path() + "/home/slim-workbench/runs/"
                                   + QString::fromStdString(s["uuid"].get<std::string>())
                                   + "/checkpoints/step_000004"));
        // Pin step 5, prune to the last 1: 3 (evaluated), 5 (pinned) and 6 stay.
        QCOMPARE(slimctl({"pin", QString::number(m_runs["lora"]), "--step", "5"}).code, 0);
        auto pruned = slimctl({"prune", QString::number(m_runs["lora"]), "--keep", "1", "--json"});
        QCOMPARE(pruned.code, 0);
        QCOMPARE(nlohmann::json::parse(pruned.out.toStdString())["removed_steps"].size(), size_t(0));
        QCOMPARE(slimctl({"pin", QString::number(m_runs["lora"]), "--step", "5", "--unpin"}).code, 0);
        pruned = slimctl({"prune", QString::number(m_runs["lora"]), "--keep", "1", "--json"});
        const auto removed = nlohmann::json::parse(pruned.out.toStdString());
        QCOMPARE(removed["removed_steps"], nlohmann::json({5}));
        QVERIFY(removed["bytes_freed"].get<std::int64_t>() > 0);
        const auto bad = slimctl({"pin", QString::number(m_runs["lora"]), "--step", "4"});
        QCOMPARE(bad.code, 1);
        QVERIFY2(bad.err.contains("no checkpoint at step 4"), qPrintable(bad.err));
    }

    void peftExportsScoreAsPeftDoes_data()
    {
        QTest::addColumn<QString>("method");
        QTest::newRow("LoRA") << "lora";
        QTest::newRow("DoRA") << "dora";
    }

    void peftExportsScoreAsPeftDoes()
    {
        QFETCH(QString, method);
        const auto run = QString::number(m_runs[method.toStdString()]);
        const auto out = m_dir.path() + "/peft-" + method;
        auto r = slimctl({"export-adapter", run, "--format", "peft", "--out", out});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const auto config = nlohmann::json::parse(
            std::ifstream((out + "/adapter_config.json").toStdString()));
        QCOMPARE(config["use_dora"].get<bool>(), method == "dora");
        const auto ours = score(m_base, out);
        QVERIFY(maxDifference(ours, score(m_base)) > 1e-3); // training changed something
        QVERIFY(maxDifference(ours, score(m_base, checkpointOf(run.toLongLong()))) < 1e-6);
        const auto diff = maxDifference(ours, referenceScore(m_base, out));
        QVERIFY2(diff < 2e-4, qPrintable(QString("max |difference| %1").arg(diff)));
    }

    void mergedExportsEqualTheAdaptedModel_data()
    {
        QTest::addColumn<QString>("method");
        QTest::newRow("LoRA") << "lora";
        QTest::newRow("DoRA") << "dora";
        QTest::newRow("full") << "full";
    }

    void mergedExportsEqualTheAdaptedModel()
    {
        QFETCH(QString, method);
        const auto run = m_runs[method.toStdString()];
        const auto out = m_dir.path() + "/merged-f32-" + method;
        auto r = slimctl({"export-merged", QString::number(run), "--out", out, "--dtype", "f32"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const auto adapted = score(m_base, checkpointOf(run));
        const auto diff = maxDifference(adapted, referenceScore(out));
        QVERIFY2(diff < 2e-4, qPrintable(QString("max |difference| %1").arg(diff)));
        // Default: the base's dtype and shard layout.
        const auto same = m_dir.path() + "/merged-" + method;
        QCOMPARE(slimctl({"export-merged", QString::number(run), "--out", same}).code, 0);
        const auto config = nlohmann::json::parse(std::ifstream((same + "/config.json").toStdString()));
        QCOMPARE(config["torch_dtype"].get<std::string>(), std::string("bfloat16"));
        QVERIFY(QFileInfo::exists(same + "/model-00002-of-00002.safetensors"));
        QVERIFY(QFileInfo::exists(same + "/generation_config.json"));
        // The base's byte tokenizer (slim_tokenizer.json only) goes out as a tokenizer.json.
        QVERIFY(QFileInfo::exists(same + "/tokenizer.json"));
        QVERIFY(maxDifference(adapted, referenceScore(same)) < 0.05); // bf16 rounding of W'
        // A folder that exists is never overwritten.
        r = slimctl({"export-merged", QString::number(run), "--out", same});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("not empty"), qPrintable(r.err));
    }

    void slimExportsRoundTripExactly()
    {
        const auto run = QString::number(m_runs["slim"]);
        const auto out = m_dir.path() + "/slim-export";
        auto r = slimctl({"export-adapter", run, "--format", "slim", "--out", out});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const auto exported = score(m_base, out);
        QVERIFY(!exported.empty());
        QCOMPARE(maxDifference(exported, score(m_base, checkpointOf(run.toLongLong()))), 0.0);
        // A mixture has no PEFT form, and says so.
        r = slimctl({"export-adapter", run, "--format", "peft", "--out", out + "-peft"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("no PEFT form"), qPrintable(r.err));
        QVERIFY(!QFileInfo::exists(out + "-peft"));
        // Merged at the run's recorded mean routing (one weight vector per layer), or at given
        // weights: a model in the Hugging Face layout that transformers' semantics score.
        r = slimctl({"export-merged", run, "--out", out + "-merged", "--dtype", "f32"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const auto merged = referenceScore(out + "-merged");
        QVERIFY(!merged.empty() && maxDifference(merged, score(m_base)) > 1e-4);
        r = slimctl({"export-merged", run, "--out", out + "-first", "--routing", "1,0,0,0,0"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        r = slimctl({"export-merged", run, "--out", out + "-bad", "--routing", "1,0"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("2 weights for the 5 experts of layer 0 mlp"), qPrintable(r.err));
        QVERIFY(!QFileInfo::exists(out + "-bad"));
        r = slimctl({"export-merged", QString::number(m_runs["lora"]), "--out", out + "-lora",
                     "--routing", "1"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("mixture runs only"), qPrintable(r.err));
    }

    void projectionMixturesMergeAtEachRoutersMeanRouting()
    {
        // LoRAMoE has a router per projection: each folds at the mean routing it recorded, and
        // slim_merge.json says which.
        const auto run = QString::number(m_runs["loramoe"]);
        const auto out = m_dir.path() + "/loramoe-merged";
        auto r = slimctl({"export-merged", run, "--out", out, "--dtype", "f32"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const auto record = nlohmann::json::parse(std::ifstream((out + "/slim_merge.json").toStdString()));
        QCOMPARE(record["method"].get<std::string>(), std::string("loramoe"));
        const auto &routers = record["routing"]["routers"];
        QVERIFY(!routers.empty());
        std::set<std::string> sites;
        for (const auto &router : routers) {
            sites.insert(router["site"].get<std::string>());
            double sum = 0;
            for (double w : router["weights"])
                sum += w;
            QVERIFY2(router["weights"].size() == 3 && std::abs(sum - 1) < 1e-3,
                     router.dump().c_str());
        }
        QVERIFY(sites.size() > 1); // one router per projection, not per layer
        const auto merged = referenceScore(out);
        QVERIFY(!merged.empty() && maxDifference(merged, score(m_base)) > 1e-4);
    }

    void adaptersTrainedElsewhereScoreHere()
    {
        const auto adapter = m_dir.path() + "/from-peft";
        QVERIFY(!reference({"make-peft-adapter", "--base", m_base, "--out", adapter, "--targets",
                            "q_proj,v_proj,down_proj", "--dora", "--rslora"})
                     .is_null());
        const auto diff = maxDifference(score(m_base, adapter), referenceScore(m_base, adapter));
        QVERIFY2(diff < 2e-4, qPrintable(QString("max |difference| %1").arg(diff)));
        // The eval command takes it as well.
        auto r = slimctl({"eval", "--model", m_base, "--adapter", adapter, "--tasks", "capitals",
                          "--max-items", "4", "--json"});
        QVERIFY2(r.code == 0, qPrintable(r.err));

        // Recorded as a run of its own, scored like the workbench's runs, shown by compare.
        r = slimctl({"import-adapter", adapter, "--model", m_base, "--name", "peft dora"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const auto match = QRegularExpression(R"(run (\d+) \()").match(r.err);
        QVERIFY(match.hasMatch());
        const auto imported = show(match.captured(1).toLongLong());
        QCOMPARE(imported["method"].get<std::string>(), std::string("dora"));
        QCOMPARE(imported["spec"]["schedule"]["steps"].get<int>(), 0);
        QCOMPARE(imported["spec"]["adapter"]["use_rslora"].get<bool>(), true);
        QVERIFY(imported["tags"].dump().find("imported") != std::string::npos);
        QVERIFY(!imported["scores"].is_null());
        auto compared = slimctl({"compare", match.captured(1), QString::number(m_runs["lora"])});
        QVERIFY2(compared.code == 0 && compared.out.contains("peft dora"), qPrintable(compared.out));

        const auto other = m_dir.path() + "/llama-other";
        QVERIFY(!reference({"make-checkpoint", "--out", other, "--arch", "llama", "--hidden", "48"}).is_null());
        r = slimctl({"score", "--model", other, "--adapter", adapter, "--ids", kIds});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("different base model"), qPrintable(r.err));
    }

    void jobsThatCannotFitFailBeforeLoading()
    {
        const nlohmann::json spec = {{"name", "too long"}, {"adapter", {{"method", "lora"}}},
                                     {"schedule", {{"steps", 2}, {"max_length", 1000000}}}};
        const auto path = m_dir.path() + "/too-long.json";
        std::ofstream(path.toStdString()) << spec.dump();
        auto r = run(SLIMCTL_PATH, {"--db", m_db, "train", path, "--model", m_base});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("memory: needs about") && r.err.contains("more than the")
                     && r.err.contains("available on cpu"),
                 qPrintable(r.err));
        QVERIFY2(!r.err.contains("loading base model"), qPrintable(r.err));
    }

    void unsupportedCheckpointsFailTheRunByName()
    {
        const auto dir = m_dir.path() + "/gemma";
        QVERIFY(QDir().mkpath(dir));
        std::ofstream((dir + "/config.json").toStdString())
            << R"({"architectures": ["Gemma2ForCausalLM"], "model_type": "gemma2"})";
        auto r = slimctl({"train", "builtin-lora", "--model", dir, "--steps", "2"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("Gemma2ForCausalLM") && r.err.contains("architectures"),
                 qPrintable(r.err));
    }
};

} // namespace

QTEST_APPLESS_MAIN(TestSlimctlPortability)
#include "tst_slimctl_portability_slow.moc"
