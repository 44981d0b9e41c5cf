// Real Hugging Face checkpoints in, portable adapters out, checked against an independent
// implementation of transformers' and PEFT's semantics (tests/reference/hf_reference.py, run on
// Debian's python3-torch): tiny random checkpoints of every supported architecture, dtype,
// layout and config feature give the same per-token log-probabilities; PEFT adapters written
// by the reference load here, and ours load there; merged exports equal the unmerged model;
// the workbench format round-trips SLIM exactly; every malformed file is refused by name.
#include "engine_test_support.h"

#include "adapters/adapter_set.h"
#include "adapters/lora_adapter.h"
#include "adapters/peft_adapter.h"
#include "model/model_io.h"
#include "model/safetensors.h"

#include <nlohmann/json.hpp>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

using namespace slim::engine;
using namespace slim::engine::test;
namespace fs = std::filesystem;

namespace {

// Debian's interpreter: the one that has python3-torch (packaging/install-deps.sh).
const QString kPython = "/usr/bin/python3";

QString referenceScript()
{
    return QFileInfo(QStringLiteral(__FILE__)).absolutePath() + "/../reference/hf_reference.py";
}

nlohmann::json reference(const QStringList &args)
{
    QProcess p;
    p.start(kPython, QStringList{referenceScript()} + args);
    if (!p.waitForFinished(600000))
        throw std::runtime_error("hf_reference.py timed out: " + args.join(' ').toStdString());
    const auto err = QString::fromUtf8(p.readAllStandardError()).toStdString();
    if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
        throw std::runtime_error("hf_reference.py " + args.join(' ').toStdString()
                                 + " failed: " + err);
    const auto out = p.readAllStandardOutput().toStdString();
    return nlohmann::json::parse(out.substr(out.rfind('{')));
}

// A fixed token sequence longer than the checkpoints' max_position_embeddings (32), so dynamic
// RoPE scaling and sliding windows take effect.
std::vector<int64_t> sequence(int64_t length = 40)
{
    std::vector<int64_t> ids = {256};
    for (int64_t i = 1; i < length; ++i)
        ids.push_back((i * 37 + 11) % 256);
    return ids;
}

QString idsText(const std::vector<int64_t> &ids)
{
    QStringList parts;
    for (auto id : ids)
        parts << QString::number(id);
    return parts.join(',');
}

std::vector<double> engineLogProbs(CausalLm &model, const std::vector<int64_t> &ids)
{
    torch::NoGradGuard noGrad;
    model->eval();
    auto input = torch::tensor(ids, torch::kLong).unsqueeze(0);
    auto lp = tokenLogProbs(model, input).squeeze(0).to(torch::kDouble);
    return {lp.data_ptr<double>(), lp.data_ptr<double>() + lp.numel()};
}

std::vector<double> referenceLogProbs(const QString &model, const std::vector<int64_t> &ids,
                                      const QString &adapter = {})
{
    QStringList args{"logprobs", "--model", model, "--ids", idsText(ids)};
    if (!adapter.isEmpty())
        args << "--adapter" << adapter;
    const auto json = reference(args)["logprobs"];
    std::vector<double> out;
    for (const auto &v : json)
        out.push_back(v.is_null() ? std::nan("") : v.get<double>());
    return out;
}

double maxDifference(const std::vector<double> &a, const std::vector<double> &b)
{
    if (a.size() != b.size())
        return 1e9;
    double worst = 0;
    for (size_t i = 1; i < a.size(); ++i)
        worst = std::max(worst, std::abs(a[i] - b[i]));
    return worst;
}

std::string errorOf(const std::function<void()> &f)
{
    try {
        f();
    } catch (const std::exception &e) {
        return e.what();
    }
    return "(no error)";
}

#define EXPECT_ERROR(call, ...)                                                                   \
    do {                                                                                          \
        const auto what_ = errorOf([&] { call; });                                                \
        for (const char *needle_ : {__VA_ARGS__})                                                 \
            QVERIFY2(what_.find(needle_) != std::string::npos, what_.c_str());                    \
    } while (0)

// Random nonzero LoRA B (and DoRA magnitudes off the weight norm), so an adapter changes the
// output and a wrong export shows.
void perturb(AdapterSetImpl &set, uint64_t seed)
{
    torch::manual_seed(seed);
    torch::NoGradGuard g;
    for (auto &p : set.parameters())
        p.add_(torch::randn_like(p) * 0.05);
}

} // namespace

class TestHfCheckpoints : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    QString make(const QString &name, const QStringList &args)
    {
        const auto out = m_dir.path() + "/" + name;
        if (!QFileInfo::exists(out + "/config.json"))
            // Weights of std 0.1 give peaked attention, so every RoPE and mask variant matters.
            reference(QStringList{"make-checkpoint", "--out", out, "--max-pos", "32",
                                  "--init-std", "0.1"} + args);
        return out;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void logProbsMatchTheReference_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("llama f32") << QStringList{"--arch", "llama"};
        QTest::newRow("llama bf16, 3 shards, tied") << QStringList{"--arch", "llama", "--dtype", "bf16",
                                                                   "--shards", "3", "--tied"};
        QTest::newRow("llama f16, attention and mlp bias")
            << QStringList{"--arch", "llama", "--dtype", "f16", "--attention-bias", "--mlp-bias"};
        QTest::newRow("llama 3.1 rope")
            << QStringList{"--arch", "llama", "--rope-theta", "500000", "--rope-scaling",
                           R"({"rope_type":"llama3","factor":8.0,"low_freq_factor":1.0,"high_freq_factor":4.0,"original_max_position_embeddings":16})"};
        QTest::newRow("llama linear rope")
            << QStringList{"--arch", "llama", "--rope-scaling", R"({"type":"linear","factor":2.0})"};
        QTest::newRow("llama dynamic rope")
            << QStringList{"--arch", "llama", "--rope-scaling", R"({"type":"dynamic","factor":2.0})"};
        QTest::newRow("llama multi-head (no GQA)") << QStringList{"--arch", "llama", "--kv-heads", "4"};
        QTest::newRow("mistral sliding window") << QStringList{"--arch", "mistral", "--sliding-window", "8"};
        QTest::newRow("qwen2 bf16 (q/k/v bias)") << QStringList{"--arch", "qwen2", "--dtype", "bf16"};
        QTest::newRow("qwen2 sliding window from layer 1")
            << QStringList{"--arch", "qwen2", "--sliding-window", "6", "--max-window-layers", "1"};
        QTest::newRow("qwen3 explicit head_dim, attention bias")
            << QStringList{"--arch", "qwen3", "--head-dim", "24", "--attention-bias"};
        QTest::newRow("qwen3 f16, tied, 2 shards, layer_types")
            << QStringList{"--arch", "qwen3", "--dtype", "f16", "--tied", "--shards", "2",
                           "--sliding-window", "5", "--layer-types"};
    }

    void logProbsMatchTheReference()
    {
        QFETCH(QStringList, args);
        const auto dir = make(QString(QTest::currentDataTag()).replace(' ', '_').remove(','), args);
        std::vector<std::string> warnings;
        auto model = loadModel(dir.toStdString(), torch::kCPU, torch::kFloat, &warnings);
        QVERIFY2(warnings.empty(), warnings.empty() ? "" : warnings.front().c_str());
        const auto ids = sequence();
        const auto diff = maxDifference(engineLogProbs(model, ids), referenceLogProbs(dir, ids));
        QVERIFY2(diff < 2e-4, qPrintable(QString("max |difference| %1").arg(diff)));
        // The KV-cache path (generation) agrees with the full forward, windows and RoPE included.
        torch::NoGradGuard noGrad;
        auto input = torch::tensor(ids, torch::kLong).unsqueeze(0);
        auto full = model->forward(input);
        KvCache cache;
        auto first = model->forward(input.slice(1, 0, 30), {}, &cache);
        auto rest = model->forward(input.slice(1, 30), {}, &cache);
        if (model->config().rope_scaling.rope_type != "dynamic") // its base changes with length
            QVERIFY(maxAbsDiff(torch::cat({first, rest}, 1), full) < 1e-4);
    }

    void loadsStraightIntoTheTargetDtype()
    {
        const auto dir = make("bf16-direct", {"--arch", "qwen2", "--dtype", "bf16"});
        auto model = loadModel(dir.toStdString(), torch::kCPU, torch::kBFloat16);
        for (auto &p : model->parameters())
            QCOMPARE(p.scalar_type(), torch::kBFloat16);
        // Same numbers as the reference within bf16 compute precision.
        const auto ids = sequence(20);
        QVERIFY(maxDifference(engineLogProbs(model, ids), referenceLogProbs(dir, ids)) < 0.15);
        const auto info = inspectModelFolder(dir.toStdString());
        QCOMPARE(info.stored_dtype, std::string("bfloat16"));
        QCOMPARE(info.config.architecture(), std::string("Qwen2ForCausalLM"));
        int64_t count = 0;
        for (auto &p : model->parameters())
            count += p.numel();
        QCOMPARE(info.parameters, count);
    }

    void singleFileWinsOverTheIndex()
    {
        const auto sharded = make("win-sharded", {"--arch", "llama", "--shards", "2", "--seed", "1"});
        const auto single = make("win-single", {"--arch", "llama", "--seed", "2"});
        fs::copy_file((single + "/model.safetensors").toStdString(),
                      (sharded + "/model.safetensors").toStdString(),
                      fs::copy_options::overwrite_existing);
        auto model = loadModel(sharded.toStdString());
        const auto ids = sequence(12);
        QVERIFY(maxDifference(engineLogProbs(model, ids), referenceLogProbs(single, ids)) < 2e-4);
        fs::remove((sharded + "/model.safetensors").toStdString());
    }

    void malformedCheckpointsAreRefusedByName()
    {
        const auto good = make("bad-source", {"--arch", "llama", "--shards", "2"});
        auto fresh = [&](const char *name) {
            const auto dir = m_dir.path().toStdString() + "/" + name;
            fs::remove_all(dir);
            fs::copy(good.toStdString(), dir);
            return dir;
        };
        const std::string shard = "model-00002-of-00002.safetensors";

        auto dir = fresh("truncated");
        fs::resize_file(dir + "/" + shard, fs::file_size(dir + "/" + shard) - 64);
        EXPECT_ERROR(loadModel(dir), shard.c_str(), "truncated");

        dir = fresh("missing-shard");
        fs::remove(dir + "/" + shard);
        EXPECT_ERROR(loadModel(dir), shard.c_str(), "missing");

        dir = fresh("shape");
        auto config = nlohmann::json::parse(std::ifstream(dir + "/config.json"));
        config["intermediate_size"] = 80;
        std::ofstream(dir + "/config.json") << config.dump();
        EXPECT_ERROR(loadModel(dir), "mlp.", "shape", "config.json");

        dir = fresh("architecture");
        config = nlohmann::json::parse(std::ifstream(dir + "/config.json"));
        config["architectures"] = {"GPTNeoXForCausalLM"};
        config["model_type"] = "gpt_neox";
        std::ofstream(dir + "/config.json") << config.dump();
        EXPECT_ERROR(loadModel(dir), "config.json", "'architectures'", "GPTNeoXForCausalLM");

        dir = fresh("rope");
        config = nlohmann::json::parse(std::ifstream(dir + "/config.json"));
        config["rope_scaling"] = {{"rope_type", "yarn"}, {"factor", 4.0}};
        std::ofstream(dir + "/config.json") << config.dump();
        EXPECT_ERROR(loadModel(dir), "config.json", "rope_scaling", "yarn");

        dir = fresh("dtype");
        {
            // Rewrite one tensor's dtype to one the engine does not read (FP8).
            const auto path = dir + "/" + shard;
            std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
            uint64_t n = 0;
            f.read(reinterpret_cast<char *>(&n), 8);
            std::string header(n, ' ');
            f.read(header.data(), std::streamsize(n));
            const auto at = header.find("\"F32\"");
            QVERIFY(at != std::string::npos);
            f.seekp(std::streamoff(8 + at));
            f.write("\"F8E\"", 5);
        }
        EXPECT_ERROR(loadModel(dir), shard.c_str(), "unknown dtype", "F8E");

        dir = fresh("extra");
        {
            auto file = readSafetensors(dir + "/" + shard);
            file.tensors["model.layers.0.self_attn.rotary_emb.inv_freq"] = torch::ones({8});
            file.tensors["model.vision_tower.weight"] = torch::ones({2});
            writeSafetensors(dir + "/" + shard, file.tensors);
            auto index = nlohmann::json::parse(std::ifstream(dir + "/model.safetensors.index.json"));
            index["weight_map"]["model.vision_tower.weight"] = shard;
            index["weight_map"]["model.layers.0.self_attn.rotary_emb.inv_freq"] = shard;
            std::ofstream(dir + "/model.safetensors.index.json") << index.dump();
        }
        std::vector<std::string> warnings;
        loadModel(dir, torch::kCPU, torch::kFloat, &warnings);
        QCOMPARE(warnings.size(), size_t(1)); // rotary tables are derived, silently
        QVERIFY(warnings.front().find("model.vision_tower.weight") != std::string::npos);
    }

    void peftAdaptersFromPeftLoad_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("q_proj,v_proj") << QStringList{"--targets", "q_proj,v_proj"};
        QTest::newRow("all-linear, rsLoRA") << QStringList{"--targets", "all-linear", "--rslora"};
        QTest::newRow("DoRA on the MLP") << QStringList{"--targets", "gate_proj,up_proj,down_proj", "--dora"};
        QTest::newRow("regex") << QStringList{"--targets-regex", R"(.*\.layers\.1\.(self_attn\.(k|o)_proj|mlp\.up_proj))"};
        QTest::newRow("rank and alpha patterns")
            << QStringList{"--targets", "q_proj,down_proj", "--rank-pattern", R"({"down_proj": 2})",
                           "--alpha-pattern", R"({"layers.1.self_attn.q_proj": 16})"};
        QTest::newRow("layers_to_transform") << QStringList{"--targets", "o_proj,up_proj", "--layers-to-transform", "1"};
        QTest::newRow("bf16 adapter, DoRA, rsLoRA")
            << QStringList{"--targets", "all-linear", "--dora", "--rslora", "--adapter-dtype", "bf16"};
        QTest::newRow("excluded modules") << QStringList{"--targets", "all-linear", "--exclude-modules", "down_proj"};
    }

    void peftAdaptersFromPeftLoad()
    {
        QFETCH(QStringList, args);
        const auto base = make("peft-base", {"--arch", "qwen2"});
        const auto adapter = m_dir.path() + "/peft-" + QString::number(qHash(args.join(' ')));
        reference(QStringList{"make-peft-adapter", "--base", base, "--out", adapter, "--r", "4",
                              "--alpha", "8"} + args);
        auto model = loadModel(base.toStdString());
        const auto ids = sequence(24);
        const auto plain = engineLogProbs(model, ids);
        auto set = loadAdapters(adapter.toStdString(), model);
        const auto adapted = engineLogProbs(model, ids);
        QVERIFY(maxDifference(plain, adapted) > 1e-3); // the adapter does something
        const auto diff = maxDifference(adapted, referenceLogProbs(base, ids, adapter));
        QVERIFY2(diff < 2e-4, qPrintable(QString("max |difference| %1").arg(diff)));
    }

    void ourPeftExportsLoadInTheReference_data()
    {
        QTest::addColumn<QString>("method");
        QTest::addColumn<bool>("rslora");
        QTest::newRow("LoRA") << "lora" << false;
        QTest::newRow("rsLoRA") << "lora" << true;
        QTest::newRow("DoRA") << "dora" << false;
    }

    void ourPeftExportsLoadInTheReference()
    {
        QFETCH(QString, method);
        QFETCH(bool, rslora);
        const auto base = make("export-base", {"--arch", "llama", "--shards", "2", "--dtype", "bf16"});
        auto model = loadModel(base.toStdString());
        auto config = AdapterConfig::defaultsFor(methodFromName(method.toStdString()));
        config.lora_rank = 4;
        config.lora_alpha = 12;
        config.use_rslora = rslora;
        config.targets = "q_proj,v_proj,down_proj";
        AdapterSet set(model, config);
        perturb(*set, 3);
        const auto ids = sequence(24);
        const auto ours = engineLogProbs(model, ids);

        const auto out = m_dir.path() + "/exported-" + method + (rslora ? "-rs" : "");
        savePeftAdapter(*set, out.toStdString(), base.toStdString());
        auto peftConfig = nlohmann::json::parse(std::ifstream((out + "/adapter_config.json").toStdString()));
        QCOMPARE(peftConfig["peft_type"].get<std::string>(), std::string("LORA"));
        QCOMPARE(peftConfig["use_dora"].get<bool>(), method == "dora");
        QCOMPARE(peftConfig["use_rslora"].get<bool>(), rslora);
        QCOMPARE(peftConfig["base_model_name_or_path"].get<std::string>(), base.toStdString());
        auto file = readSafetensors((out + "/adapter_model.safetensors").toStdString());
        QVERIFY(file.tensors.count("base_model.model.model.layers.1.mlp.down_proj.lora_B.weight"));
        QCOMPARE(file.tensors.count("base_model.model.model.layers.0.self_attn.v_proj.lora_magnitude_vector"),
                 size_t(method == "dora" ? 1 : 0));
        QVERIFY(maxDifference(ours, referenceLogProbs(base, ids, out)) < 2e-4);

        // And back: the export loads here into a fresh base with the same numbers.
        auto again = loadModel(base.toStdString());
        auto reloaded = loadAdapters(out.toStdString(), again);
        QVERIFY(maxDifference(ours, engineLogProbs(again, ids)) < 1e-6);

        // Merged: the base with the adapter folded in, written in the base's shard layout,
        // equals the unmerged model (computed in f32 here) and PEFT's own merge.
        set->foldIntoBase();
        const auto merged = m_dir.path() + "/merged-" + method + (rslora ? "-rs" : "");
        saveModel(model, merged.toStdString(), torch::kFloat,
                  inspectModelFolder(base.toStdString()).weight_map);
        QVERIFY(fs::exists((merged + "/model.safetensors.index.json").toStdString()));
        QVERIFY(maxDifference(ours, referenceLogProbs(merged, ids)) < 2e-4);
        const auto peftMerged = merged + "-peft";
        reference({"merge-peft", "--base", base, "--adapter", out, "--out", peftMerged});
        auto theirs = loadModel(peftMerged.toStdString());
        QVERIFY(maxDifference(ours, engineLogProbs(theirs, ids)) < 0.05); // bf16 rounding of W'
    }

    void badAdaptersAreRefusedByName()
    {
        const auto base = make("peft-base", {"--arch", "qwen2"});
        const auto other = make("peft-other", {"--arch", "qwen2", "--hidden", "48"});
        const auto adapter = m_dir.path() + "/peft-for-other";
        reference({"make-peft-adapter", "--base", other, "--out", adapter, "--targets", "q_proj"});
        auto model = loadModel(base.toStdString());
        EXPECT_ERROR(loadAdapters(adapter.toStdString(), model), "adapter_model.safetensors",
                     "lora_A.weight", "different base model");

        auto edit = [&](const char *name, const std::function<void(nlohmann::json &)> &change) {
            const auto dir = m_dir.path().toStdString() + "/peft-" + name;
            fs::remove_all(dir);
            fs::copy(adapter.toStdString(), dir);
            auto json = nlohmann::json::parse(std::ifstream(dir + "/adapter_config.json"));
            change(json);
            std::ofstream(dir + "/adapter_config.json") << json.dump();
            return dir;
        };
        auto fresh = loadModel(other.toStdString());
        EXPECT_ERROR(loadAdapters(edit("ia3", [](auto &j) { j["peft_type"] = "IA3"; }), fresh),
                     "adapter_config.json", "peft_type", "IA3");
        EXPECT_ERROR(loadAdapters(edit("save", [](auto &j) { j["modules_to_save"] = {"lm_head"}; }), fresh),
                     "adapter_config.json", "modules_to_save");
        EXPECT_ERROR(loadAdapters(edit("embed", [](auto &j) { j["target_modules"] = {"q_proj", "embed_tokens"}; }), fresh),
                     "adapter_config.json", "embed_tokens");
        EXPECT_ERROR(loadAdapters(edit("bias", [](auto &j) { j["bias"] = "all"; }), fresh),
                     "adapter_config.json", "'bias'");
        EXPECT_ERROR(loadAdapters(edit("none", [](auto &j) { j["target_modules"] = {"c_attn"}; }), fresh),
                     "adapter_config.json", "matches no projection");
        EXPECT_ERROR(loadAdapters(edit("rank", [](auto &j) { j["r"] = 3; }), fresh),
                     "adapter_model.safetensors", "shape");
    }

    void workbenchFormatRoundTripsSlimExactly()
    {
        const auto base = make("slim-base", {"--arch", "qwen3", "--head-dim", "24"});
        auto model = loadModel(base.toStdString());
        auto config = AdapterConfig::defaultsFor(AdapterMethod::Slim);
        config.lora_rank = 2;
        config.num_lora_experts = 3;
        config.num_clusters = 2;
        AdapterSet set(model, config);
        perturb(*set, 5);
        // Train-mode forwards seed and move the clusters; they are part of what is exported.
        set->train();
        {
            torch::NoGradGuard g;
            for (int i = 0; i < 3; ++i)
                model->forward(randomTokens(2, 16, 10 + i));
        }
        set->eval();
        const auto dir = m_dir.path().toStdString() + "/slim-export";
        set->save(dir, base.toStdString());
        auto json = nlohmann::json::parse(std::ifstream(dir + "/adapter_config.json"));
        QCOMPARE(json["slim_format_version"].get<int>(), 1);
        QCOMPARE(json["base_model"]["architecture"].get<std::string>(), std::string("Qwen3ForCausalLM"));

        auto again = loadModel(base.toStdString());
        auto loaded = loadAdapters(dir, again);
        auto input = randomTokens(2, 20, 99);
        torch::NoGradGuard g;
        torch::manual_seed(42); // SLIM samples its merge masks at inference (seeded)
        auto a = model->forward(input);
        torch::manual_seed(42);
        auto b = again->forward(input);
        QCOMPARE(maxAbsDiff(a, b), 0.0);

        // A newer format version and a different base are refused by name.
        json["slim_format_version"] = 2;
        std::ofstream(dir + "/adapter_config.json") << json.dump();
        auto third = loadModel(base.toStdString());
        EXPECT_ERROR(loadAdapters(dir, third), "adapter_config.json", "version 2");
        json["slim_format_version"] = 1;
        std::ofstream(dir + "/adapter_config.json") << json.dump();
        const auto other = make("slim-other", {"--arch", "qwen3", "--head-dim", "24", "--layers", "3"});
        auto otherModel = loadModel(other.toStdString());
        EXPECT_ERROR(loadAdapters(dir, otherModel), "adapter_config.json", "num_hidden_layers",
                     "different base model");
    }
};

QTEST_APPLESS_MAIN(TestHfCheckpoints)
#include "tst_hf_checkpoints_slow.moc"
