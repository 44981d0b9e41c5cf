// Adapters of every method on the base model: they start at the base output, train only what
// they target, fold (LoRA/DoRA), and save/load with identical logits.
#include "engine_test_support.h"

#include "adapters/adapter_set.h"
#include "adapters/target_spec.h"
#include "model/model_io.h"

#include <nlohmann/json.hpp>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

using namespace slim::engine;
using namespace slim::engine::test;

Q_DECLARE_METATYPE(slim::engine::AdapterMethod)

namespace {

// Small mixtures so the tests stay fast; the methods' structure is unchanged.
AdapterConfig smallConfig(AdapterMethod method)
{
    auto c = AdapterConfig::defaultsFor(method);
    c.lora_rank = method == AdapterMethod::Lora || method == AdapterMethod::Dora ? 8 : 4;
    c.lora_alpha = 2.0 * double(c.lora_rank);
    c.num_lora_experts = 4;
    c.num_clusters = 3;
    if (method == AdapterMethod::Mola)
        c.experts_per_layer = {2, 4};
    if (c.attention_lora_rank > 0)
        c.attention_lora_rank = 4;
    return c;
}

// Makes every adapter's B (and magnitude, clusters) non-trivial, as after training.
void perturbAdapters(AdapterSet &set)
{
    torch::NoGradGuard g;
    for (auto &p : set->parameters())
        p.add_(torch::randn_like(p) * 0.05);
}

void addMethodRows()
{
    QTest::addColumn<AdapterMethod>("method");
    for (auto m : allMethods())
        QTest::newRow(methodName(m).c_str()) << m;
}

} // namespace

class TestAdapters : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void startsAtBaseOutput_data() { addMethodRows(); }
    void startsAtBaseOutput()
    {
        QFETCH(AdapterMethod, method);
        auto model = tinyModel();
        auto ids = randomTokens(2, 9);
        auto base = model->forward(ids);
        auto config = smallConfig(method);
        config.inference_mask = "sample";
        AdapterSet set(model, config);
        set->eval();
        // Zero-initialised B: every method's delta is zero, whatever the routing.
        QVERIFY(maxAbsDiff(model->forward(ids), base) < 1e-5);
    }

    void trainsOnlyTargetedWeights_data() { addMethodRows(); }
    void trainsOnlyTargetedWeights()
    {
        QFETCH(AdapterMethod, method);
        auto model = tinyModel();
        std::map<std::string, torch::Tensor> before;
        for (auto &item : model->named_parameters())
            before[item.key()] = item.value().detach().clone();
        auto config = smallConfig(method);
        AdapterSet set(model, config);
        set->train();
        std::map<std::string, torch::Tensor> adapterBefore;
        for (auto &item : set->named_parameters())
            adapterBefore[item.key()] = item.value().detach().clone();

        torch::optim::AdamW opt(set->trainableParameters(), torch::optim::AdamWOptions(1e-2).weight_decay(0));
        for (int step = 0; step < 2; ++step) {
            auto ids = randomTokens(2, 9, 100 + step);
            auto logits = model->forward(ids);
            auto loss = torch::nn::functional::cross_entropy(
                            logits.slice(1, 0, -1).reshape({-1, 259}), ids.slice(1, 1).reshape({-1}))
                        + set->regularisationLoss();
            opt.zero_grad();
            loss.backward();
            opt.step();
        }
        for (auto &item : model->named_parameters()) {
            const bool changed = maxAbsDiff(item.value(), before[item.key()]) > 0;
            QVERIFY2(changed == (method == AdapterMethod::Full), item.key().c_str());
        }
        if (method == AdapterMethod::Full)
            return;
        QVERIFY(!adapterBefore.empty());
        for (auto &item : set->named_parameters()) {
            // Every adapter tensor is trained (top-K may leave an expert unchosen in two
            // steps, so B matrices are checked as a whole below).
            if (item.key().find("lora_B") != std::string::npos)
                continue;
            QVERIFY2(maxAbsDiff(item.value(), adapterBefore[item.key()]) > 0, item.key().c_str());
        }
        double bMoved = 0;
        for (auto &item : set->named_parameters()) {
            if (item.key().find("lora_B") != std::string::npos)
                bMoved += maxAbsDiff(item.value(), adapterBefore[item.key()]);
        }
        QVERIFY(bMoved > 0);
        for (auto &p : model->parameters())
            QVERIFY(!p.requires_grad());
    }

    void loraTargetsOnlyChosenProjections()
    {
        auto model = tinyModel();
        auto config = smallConfig(AdapterMethod::Lora);
        config.targets = "q_proj, model.layers.1.mlp.down_proj";
        AdapterSet set(model, config);
        std::vector<std::string> names;
        for (auto &item : set->named_parameters())
            names.push_back(item.key());
        const std::vector<std::string> expected = {
            "layers.0.q_proj.lora_A", "layers.0.q_proj.lora_B", "layers.1.q_proj.lora_A",
            "layers.1.q_proj.lora_B", "layers.1.down_proj.lora_A", "layers.1.down_proj.lora_B"};
        QCOMPARE(names, expected);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, TargetSpec::parse("mlp,qproj"));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, TargetSpec::parse("model.layers.x.mlp.up_proj"));
    }

    void foldingGivesSameLogits_data()
    {
        QTest::addColumn<AdapterMethod>("method");
        QTest::newRow("lora") << AdapterMethod::Lora;
        QTest::newRow("dora") << AdapterMethod::Dora;
    }
    void foldingGivesSameLogits()
    {
        QFETCH(AdapterMethod, method);
        auto model = tinyModel();
        auto config = smallConfig(method);
        config.targets = "all";
        AdapterSet set(model, config);
        perturbAdapters(set);
        set->eval();
        auto ids = randomTokens(2, 9);
        auto adapted = model->forward(ids);
        QVERIFY(maxAbsDiff(adapted, tinyModel()->forward(ids)) > 1e-3); // the adapter matters
        set->foldIntoBase();
        QVERIFY(model->layer(0).self_attn->q_proj->adapter() == nullptr);
        QVERIFY(maxAbsDiff(model->forward(ids), adapted) < 1e-4);
    }

    void mixturesFoldOnlyAtARouting()
    {
        auto model = tinyModel();
        AdapterSet set(model, smallConfig(AdapterMethod::Slim));
        QVERIFY(!set->canFold());
        QVERIFY(set->canFoldAtRouting());
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, set->foldIntoBase()); // no routing
        QVERIFY(model->layer(0).mlp->adapter()); // nothing was folded
    }

    void saveLoadGivesIdenticalLogits_data() { addMethodRows(); }
    void saveLoadGivesIdenticalLogits()
    {
        QFETCH(AdapterMethod, method);
        auto config = smallConfig(method);
        config.inference_mask = "expected"; // deterministic at inference
        auto ids = randomTokens(2, 9);
        QTemporaryDir dir;
        const auto path = dir.path().toStdString();
        torch::Tensor saved;
        {
            auto model = tinyModel();
            AdapterSet set(model, config);
            set->train();
            model->forward(ids); // initialise SLIM's clusters from a batch
            perturbAdapters(set);
            set->eval();
            saved = model->forward(ids);
            set->save(path);
        }
        auto fresh = tinyModel();
        auto loaded = loadAdapters(path, fresh);
        loaded->eval();
        QCOMPARE(loaded->config().toJson().dump(), config.toJson().dump());
        QCOMPARE(maxAbsDiff(fresh->forward(ids), saved), 0.0);
    }

    void slimFoldsAtAChosenRouting()
    {
        // With a zero router every token routes uniformly over the top_k = all experts, so the
        // unmerged SLIM block (masks at their expectation) is the base plus the experts' deltas
        // weighted 1/E: exactly what folding at the routing [1/E, ...] writes into the weights.
        auto model = tinyModel(9);
        auto config = smallConfig(AdapterMethod::Slim);
        config.num_identity_experts = 2;
        config.top_k = config.num_lora_experts + config.num_identity_experts;
        config.weight_yielding = false;
        config.inference_mask = "expected";
        config.attention_lora_rank = 4;
        AdapterSet set(model, config);
        perturbAdapters(set);
        {
            torch::NoGradGuard g;
            for (auto &item : set->named_parameters()) {
                if (item.key().find("router") != std::string::npos)
                    item.value().zero_();
            }
        }
        set->eval();
        auto ids = randomTokens(2, 10);
        torch::NoGradGuard g;
        const auto unmerged = model->forward(ids);
        const auto experts = size_t(config.top_k);
        MergeRouting wrongCount;
        wrongCount.everywhere = {1.0};
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, set->foldIntoBase(wrongCount));
        MergeRouting uniform;
        uniform.everywhere.assign(experts, 1.0 / double(experts));
        set->foldIntoBase(uniform);
        QVERIFY(!model->layer(0).mlp->adapter());
        QVERIFY(maxAbsDiff(model->forward(ids), unmerged) < 1e-4);
    }

    void otherMixturesFoldAtAChosenRouting_data()
    {
        QTest::addColumn<AdapterMethod>("method");
        for (auto m : {AdapterMethod::LoraMoe, AdapterMethod::Mola, AdapterMethod::MixLora})
            QTest::newRow(methodName(m).c_str()) << m;
    }
    void otherMixturesFoldAtAChosenRouting()
    {
        // LoRAMoE and MoLA with a zero router route every token uniformly over all experts of
        // each projection: the fold at [1/E, ...] per router is exact. MixLoRA's experts each
        // run the FFN, so its fold is exact only where the experts agree: all experts get
        // expert 0's LoRA here, and any routing then computes expert 0's block.
        QFETCH(AdapterMethod, method);
        auto model = tinyModel(11);
        auto config = smallConfig(method);
        config.targets = "all";
        config.top_k = 4; // every expert of every router
        if (method == AdapterMethod::Mola)
            config.experts_per_layer = {4, 4};
        AdapterSet set(model, config);
        perturbAdapters(set);
        torch::NoGradGuard g;
        MergeRouting routing;
        for (auto &item : set->named_parameters()) {
            const auto &name = item.key();
            if (method != AdapterMethod::MixLora && name.find("router") != std::string::npos)
                item.value().zero_();
            if (method == AdapterMethod::MixLora && name.find("lora_") != std::string::npos
                && name.find(".mlp.") != std::string::npos)
                item.value().copy_(item.value().narrow(0, 0, 1).expand_as(item.value()));
            // layers.<i>.<site>.bank.lora_A of a projection mixture: one router per site.
            const auto bank = name.find(".bank.lora_A");
            if (bank != std::string::npos) {
                const auto layer = std::stoll(name.substr(7));
                const auto site = name.substr(name.find('.', 7) + 1, bank - name.find('.', 7) - 1);
                const auto n = item.value().size(0);
                routing.by_router[{layer, site}].assign(size_t(n), 1.0 / double(n));
            }
        }
        if (method == AdapterMethod::MixLora)
            routing.everywhere = {0.1, 0.2, 0.3, 0.4};
        else
            QCOMPARE(routing.by_router.size(), size_t(2 * 7)); // 2 layers x 7 projections
        set->eval();
        auto ids = randomTokens(2, 10);
        const auto unmerged = model->forward(ids);
        QVERIFY(maxAbsDiff(unmerged, tinyModel(11)->forward(ids)) > 1e-3); // the adapter matters
        auto missing = routing;
        if (!missing.by_router.empty())
            missing.by_router.erase(missing.by_router.begin());
        else
            missing.everywhere.clear();
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, set->foldIntoBase(missing));
        set->foldIntoBase(routing);
        QVERIFY(!model->layer(1).mlp->adapter());
        QVERIFY(!model->layer(1).self_attn->q_proj->adapter());
        QVERIFY(maxAbsDiff(model->forward(ids), unmerged) < 1e-4);
    }

    void fullFineTuningHasNothingToFold()
    {
        auto model = tinyModel();
        AdapterSet set(model, smallConfig(AdapterMethod::Full));
        QVERIFY(!set->canFold() && !set->canFoldAtRouting());
        QVERIFY_THROWS_EXCEPTION(std::logic_error, set->foldIntoBase());
    }

    void loadingIntoAWrongModelFailsClearly()
    {
        QTemporaryDir dir;
        {
            auto model = tinyModel();
            AdapterSet set(model, smallConfig(AdapterMethod::Lora));
            set->save(dir.path().toStdString());
        }
        auto config = tinyConfig();
        config.hidden_size = 48;
        config.num_attention_heads = 4;
        auto other = tinyModel(1, config);
        auto expectError = [&](std::initializer_list<const char *> needles) {
            try {
                loadAdapters(dir.path().toStdString(), other);
                QFAIL("expected ModelLoadError");
            } catch (const ModelLoadError &e) {
                for (const char *needle : needles)
                    QVERIFY2(std::string(e.what()).find(needle) != std::string::npos, e.what());
            }
        };
        // The recorded base names the mismatch; without it (older folders) the shapes do.
        expectError({"adapter_config.json", "hidden_size", "different base model"});
        const auto configPath = dir.path().toStdString() + "/adapter_config.json";
        auto json = nlohmann::json::parse(std::ifstream(configPath));
        json.erase("base_model");
        std::ofstream(configPath) << json.dump();
        expectError({"adapter_model.safetensors", "has shape"});
    }

    void oneAdapterSetPerModel()
    {
        auto model = tinyModel();
        AdapterSet first(model, smallConfig(AdapterMethod::Lora));
        QVERIFY_THROWS_EXCEPTION(std::logic_error, AdapterSet(model, smallConfig(AdapterMethod::Slim)));
        first->detach();
        AdapterSet second(model, smallConfig(AdapterMethod::Slim));
        QVERIFY(model->layer(0).mlp->adapter() != nullptr);
    }

    void configJsonRoundTripsAndNamesBadFields()
    {
        for (auto m : allMethods()) {
            auto c = smallConfig(m);
            QCOMPARE(AdapterConfig::fromJson(c.toJson()).toJson().dump(), c.toJson().dump());
        }
        auto json = AdapterConfig::defaultsFor(AdapterMethod::Slim).toJson();
        json["drop_rat"] = 0.3;
        try {
            AdapterConfig::fromJson(json);
            QFAIL("expected an error");
        } catch (const std::invalid_argument &e) {
            QVERIFY(std::string(e.what()).find("drop_rat") != std::string::npos);
        }
        auto bad = AdapterConfig::defaultsFor(AdapterMethod::Slim);
        bad.merge = "fastest";
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, bad.validate(2));
        auto mola = AdapterConfig::defaultsFor(AdapterMethod::Mola);
        mola.experts_per_layer = {2, 4, 8};
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, mola.validate(2));
    }
};

QTEST_APPLESS_MAIN(TestAdapters)
#include "tst_adapters.moc"
