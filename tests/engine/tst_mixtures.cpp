// Routing rules and the baseline mixtures: MixLoRA (top-2 over expert FFNs), MixLoRA-Dy
// (top-p), LoRAMoE (dense per projection), MoLA (top-2 per projection, experts per layer).
#include "engine_test_support.h"

#include "adapters/adapter_set.h"
#include "adapters/mixlora_mlp.h"
#include "adapters/projection_mixture.h"
#include "adapters/routing.h"

#include <QtTest>

#include <algorithm>
#include <cmath>

using namespace slim::engine;
using namespace slim::engine::test;

Q_DECLARE_METATYPE(slim::engine::AdapterMethod)

class TestMixtures : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void topKWeightsAreRenormalisedOverChosenExperts()
    {
        auto logits = torch::tensor({{1.0, 3.0, 2.0, -1.0}, {0.0, 0.0, 5.0, 4.0}});
        auto r = route(logits, RoutingRule::TopK, 2, 1.0);
        auto expected0 = torch::softmax(torch::tensor({3.0, 2.0}), 0);
        QVERIFY(std::abs(r.weights[0][1].item<double>() - expected0[0].item<double>()) < 1e-6);
        QVERIFY(std::abs(r.weights[0][2].item<double>() - expected0[1].item<double>()) < 1e-6);
        QCOMPARE(r.weights[0][0].item<double>(), 0.0);
        QCOMPARE(r.weights[0][3].item<double>(), 0.0);
        QVERIFY(((r.weights.sum(-1) - 1).abs() < 1e-6).all().item<bool>());
        QVERIFY((r.weights >= 0).all().item<bool>());
    }

    void topPSelectsTheSmallestSetReachingP()
    {
        // probs 0.5, 0.3, 0.15, 0.05: p = 0.8 needs exactly the first two; p = 0.81 three.
        auto probs = torch::tensor({{0.5, 0.3, 0.15, 0.05}});
        auto logits = probs.log();
        auto two = route(logits, RoutingRule::TopP, 0, 0.8).weights;
        QCOMPARE((two > 0).sum().item<int64_t>(), int64_t(2));
        QVERIFY(std::abs(two[0][0].item<double>() - 0.625) < 1e-5);
        auto three = route(logits, RoutingRule::TopP, 0, 0.81).weights;
        QCOMPARE((three > 0).sum().item<int64_t>(), int64_t(3));
        auto one = route(logits, RoutingRule::TopP, 0, 0.4).weights;
        QCOMPARE((one > 0).sum().item<int64_t>(), int64_t(1));
        QVERIFY(((three.sum(-1) - 1).abs() < 1e-6).all().item<bool>());
    }

    void denseRoutingUsesEveryExpert()
    {
        auto logits = torch::randn({5, 6});
        auto r = route(logits, RoutingRule::Dense, 0, 0);
        QVERIFY((r.weights > 0).all().item<bool>());
        QVERIFY(torch::allclose(r.weights, torch::softmax(logits, -1)));
    }

    void loadBalancingLossMatchesHandComputation()
    {
        // Two tokens, 2 experts, top-1: both choose expert 0 -> f = (1, 0).
        auto logits = torch::tensor({{2.0, 0.0}, {1.0, 0.0}});
        auto r = route(logits, RoutingRule::TopK, 1, 1.0);
        auto p0 = (torch::sigmoid(torch::tensor(2.0)) + torch::sigmoid(torch::tensor(1.0))) / 2;
        auto expected = 2.0 * p0.item<double>();
        QVERIFY(std::abs(loadBalancingLoss(r, {}).item<double>() - expected) < 1e-6);
        // A pad token is left out.
        auto withPad = loadBalancingLoss(r, torch::tensor({true, false})).item<double>();
        QVERIFY(std::abs(withPad - 2.0 * torch::sigmoid(torch::tensor(2.0)).item<double>()) < 1e-6);
    }

    // LoRAMoE's localized balancing constraint (its code's cv_squared): two samples of three
    // tokens, four experts (first half: world knowledge), sample 0 of knowledge type, sample 1
    // downstream, the last token of sample 1 padding; computed here by hand.
    void localizedBalancingConstraintMatchesHandComputation()
    {
        const double w[2][3][4] = {{{0.1, 0.2, 0.3, 0.4}, {0.4, 0.3, 0.2, 0.1}, {0.25, 0.25, 0.25, 0.25}},
                                   {{0.7, 0.1, 0.1, 0.1}, {0.1, 0.6, 0.2, 0.1}, {0.9, 0.1, 0.0, 0.0}}};
        const bool valid[2][3] = {{true, true, true}, {true, true, false}};
        const int types[2] = {1, 0};
        const double delta = 0.1;
        std::vector<double> z;
        for (int b = 0; b < 2; ++b) {
            for (int n = 0; n < 4; ++n) {
                double q = 0;
                for (int t = 0; t < 3; ++t)
                    q += valid[b][t] ? w[b][t][n] : 0.0;
                const bool knowledgeExpert = n < 2;
                z.push_back(q * ((knowledgeExpert == (types[b] == 1)) ? 1 + delta : 1 - delta));
            }
        }
        double mean = 0, var = 0;
        for (double v : z)
            mean += v / double(z.size());
        for (double v : z)
            var += (v - mean) * (v - mean) / double(z.size() - 1);
        const double expected = var / (mean * mean + 1e-10);

        std::vector<float> flat;
        for (const auto &sample : w)
            for (const auto &token : sample)
                flat.insert(flat.end(), std::begin(token), std::end(token));
        auto weights = torch::tensor(flat).view({6, 4});
        auto mask = torch::tensor({true, true, true, true, true, false});
        const double got = localizedBalancingLoss(weights, 2, mask, torch::tensor({1, 0}), delta)
                               .item<double>();
        QVERIFY2(std::abs(got - expected) < 1e-6,
                 qPrintable(QString("%1, expected %2").arg(got).arg(expected)));
    }

    // In training, LoRAMoE's regularisation is blc_weight times the constraint summed over its
    // mixtures, and it reaches the routers (the load-balancing loss was a constant there).
    void loraMoeTrainsWithItsBalancingConstraint()
    {
        auto model = tinyModel();
        auto config = AdapterConfig::defaultsFor(AdapterMethod::LoraMoe);
        config.num_lora_experts = 4;
        config.lora_rank = 4;
        QCOMPARE(config.blc_weight, 0.1);
        QCOMPARE(config.blc_alpha, 0.1);
        AdapterSet set(model, config);
        set->train();
        model->forward(randomTokens(2, 9));
        const auto r = set->regularisation();
        QVERIFY(r.aux.item<double>() > 0);
        QVERIFY(std::abs(r.total.item<double>() - 0.1 * r.aux.item<double>()) < 1e-7);
        r.total.backward();
        double routerGrad = 0;
        for (auto &item : set->named_parameters()) {
            if (item.key().find("router") != std::string::npos && item.value().grad().defined())
                routerGrad += item.value().grad().abs().sum().item<double>();
        }
        QVERIFY(routerGrad > 0);

    }

    // MoLA's allocation per group of layers: MoLA-V "2,4,6,8" on 8 layers gives 2,2,4,4,6,6,8,8;
    // entries that do not divide the layers are refused.
    void molaAllocatesExpertsPerLayerGroup()
    {
        auto mola = AdapterConfig::defaultsFor(AdapterMethod::Mola);
        mola.experts_per_layer = {2, 4, 6, 8};
        std::vector<int64_t> counts;
        for (int64_t layer = 0; layer < 8; ++layer)
            counts.push_back(mola.expertsInLayer(layer, 8));
        QCOMPARE(counts, (std::vector<int64_t>{2, 2, 4, 4, 6, 6, 8, 8}));
        QCOMPARE(mola.expertsInLayer(3, 4), int64_t(8));
        mola.validate(8);
        mola.validate(4);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, mola.validate(6));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, mola.validate(2));
    }

    void mixLoraSumsWeightedExpertFfns()
    {
        torch::manual_seed(2);
        auto mc = tinyConfig();
        mc.hidden_size = 8;
        mc.intermediate_size = 12;
        Mlp mlp(mc);
        auto config = AdapterConfig::defaultsFor(AdapterMethod::MixLora);
        config.num_lora_experts = 3;
        config.lora_rank = 2;
        config.lora_alpha = 4;
        MixLoraMlp mix(config, *mlp, 0);
        {
            torch::NoGradGuard g;
            for (auto &p : mix->parameters())
                p.copy_(torch::randn_like(p) * 0.3);
        }
        mlp->setAdapter(mix.ptr());
        mix->eval();
        auto u = torch::randn({1, 5, 8});
        auto mask = torch::ones({1, 5}, torch::kBool);
        auto out = mlp->forward(u, mask).squeeze(0);
        for (int64_t t = 0; t < 5; ++t) {
            auto x = u[0][t];
            auto z = mix->router->weight.matmul(x);
            auto [vals, idx] = z.topk(2);
            auto w = torch::softmax(vals, 0);
            auto y = torch::zeros({8});
            for (int64_t k = 0; k < 2; ++k) {
                auto e = idx[k].item<int64_t>();
                auto dense = [&](LoraBank &bank, AdaptableLinear &lin) {
                    return lin->weight + 2.0 * bank->lora_B[e].matmul(bank->lora_A[e]);
                };
                auto g = dense(mix->gate_proj, mlp->gate_proj).matmul(x);
                auto up = dense(mix->up_proj, mlp->up_proj).matmul(x);
                y += w[k] * dense(mix->down_proj, mlp->down_proj).matmul(torch::silu(g) * up);
            }
            QVERIFY2(maxAbsDiff(y, out[t]) < 1e-5, qPrintable(QString::number(maxAbsDiff(y, out[t]))));
        }
    }

    void projectionMixturesRouteAsTheirPapersSay()
    {
        auto model = tinyModel();
        auto loraMoe = AdapterConfig::defaultsFor(AdapterMethod::LoraMoe);
        loraMoe.num_lora_experts = 3;
        loraMoe.lora_rank = 2;
        {
            AdapterSet set(model, loraMoe);
            model->forward(randomTokens(2, 6));
            auto reports = set->takeRoutingReports();
            QCOMPARE(reports.size(), size_t(2 * 3)); // gate/up/down in 2 layers
            for (auto &r : reports) {
                QCOMPARE(r.tokens, int64_t(12));
                for (double share : r.selection_share)
                    QVERIFY(std::abs(share - 1.0 / 3) < 1e-9); // dense: all experts every token
            }
        }
        auto mola = AdapterConfig::defaultsFor(AdapterMethod::Mola);
        mola.experts_per_layer = {2, 5};
        mola.lora_rank = 2;
        mola.targets = "attention";
        AdapterSet set(model, mola);
        model->forward(randomTokens(2, 6));
        auto reports = set->takeRoutingReports();
        QCOMPARE(reports.size(), size_t(2 * 4));
        for (auto &r : reports) {
            QCOMPARE(int64_t(r.mean_weight.size()), r.layer == 0 ? int64_t(2) : int64_t(5));
            QVERIFY(r.site.find("_proj") != std::string::npos);
            double shares = 0;
            for (double s : r.selection_share)
                shares += s;
            QVERIFY(std::abs(shares - 1) < 1e-9);
        }
        QCOMPARE(set->named_parameters()["layers.1.q_proj.bank.lora_A"].size(0), int64_t(5));
    }

    // LoRAMoE and MoLA through AdapterSet against a per-token dense reference written from the
    // equations: z = G x; LoRAMoE w = softmax(z) over all experts, MoLA w = softmax of the top-2
    // logits (0 elsewhere); y = W x + sum_i w_i * (alpha / r) * B_i A_i x.
    void projectionMixturesMatchPerTokenReference_data()
    {
        QTest::addColumn<AdapterMethod>("method");
        QTest::newRow("loramoe") << AdapterMethod::LoraMoe;
        QTest::newRow("mola") << AdapterMethod::Mola;
    }
    void projectionMixturesMatchPerTokenReference()
    {
        QFETCH(AdapterMethod, method);
        auto model = tinyModel(5);
        auto config = AdapterConfig::defaultsFor(method);
        config.num_lora_experts = 3;
        config.lora_rank = 2;
        config.lora_alpha = 3; // s = 1.5, not the default 2
        config.top_k = 2;
        if (method == AdapterMethod::Mola)
            config.experts_per_layer = {3, 5};
        const double s = config.lora_alpha / double(config.lora_rank);
        AdapterSet set(model, config);
        {
            torch::NoGradGuard g;
            for (auto &item : set->named_parameters()) {
                const bool router = item.key().find("router") != std::string::npos;
                item.value().add_(torch::randn_like(item.value()) * (router ? 1.0 : 0.3));
            }
        }
        set->eval();
        torch::NoGradGuard g;
        for (int64_t layer = 0; layer < 2; ++layer) {
            auto &linear = model->layer(layer).mlp->up_proj;
            auto *mix = dynamic_cast<ProjectionMixtureImpl *>(linear->adapter());
            QVERIFY(mix);
            const auto n = mix->bank->numExperts();
            QCOMPARE(n, method == AdapterMethod::Mola && layer == 1 ? int64_t(5) : int64_t(3));
            auto x = torch::randn({2, 3, 32});
            auto out = linear->forward(x).reshape({6, -1}).to(torch::kDouble);
            auto flat = x.reshape({6, 32}).to(torch::kDouble);
            auto G = mix->router->weight.to(torch::kDouble);
            auto W = linear->weight.to(torch::kDouble);
            auto A = mix->bank->lora_A.to(torch::kDouble), B = mix->bank->lora_B.to(torch::kDouble);
            for (int64_t t = 0; t < 6; ++t) {
                std::vector<double> z;
                for (int64_t i = 0; i < n; ++i)
                    z.push_back(G[i].dot(flat[t]).item<double>());
                std::vector<int64_t> chosen;
                for (int64_t i = 0; i < n; ++i)
                    chosen.push_back(i);
                if (method == AdapterMethod::Mola) {
                    std::sort(chosen.begin(), chosen.end(), [&](int64_t a, int64_t b) { return z[a] > z[b]; });
                    chosen.resize(2);
                }
                double sum = 0;
                for (auto i : chosen)
                    sum += std::exp(z[size_t(i)]);
                auto y = W.matmul(flat[t]);
                for (auto i : chosen)
                    y = y + std::exp(z[size_t(i)]) / sum * s * B[i].matmul(A[i].matmul(flat[t]));
                QVERIFY2(maxAbsDiff(y, out[t]) < 1e-5,
                         qPrintable(QString("layer %1 token %2: off by %3").arg(layer).arg(t)
                                        .arg(maxAbsDiff(y, out[t]))));
            }
            // The adapters matter here: a wrong weight or scale would show.
            QVERIFY(maxAbsDiff(out, linear->baseForward(x).reshape({6, -1}).to(torch::kDouble)) > 1e-2);
        }
    }

    void mixLoraDyUsesVariableExpertCounts()
    {
        auto model = tinyModel();
        auto config = AdapterConfig::defaultsFor(AdapterMethod::MixLoraDy);
        config.num_lora_experts = 6;
        config.lora_rank = 2;
        config.attention_lora_rank = 2;
        AdapterSet set(model, config);
        {
            torch::NoGradGuard g;
            for (auto &item : set->named_parameters()) {
                if (item.key().find("router") != std::string::npos)
                    item.value().normal_(0, 2.0); // peaked, varied routing
            }
        }
        set->train();
        model->forward(randomTokens(4, 16));
        // Attention LoRA is attached beside the MLP mixture, as MixLoRA does.
        QVERIFY(model->layer(0).self_attn->v_proj->adapter() != nullptr);
        auto report = set->takeRoutingReports().front();
        double mass = 0;
        for (double m : report.mean_weight)
            mass += m;
        QVERIFY(std::abs(mass - 1) < 1e-6);
        QVERIFY(report.load_cv2 > 0);
        QVERIFY(set->auxTerm().item<double>() > 0); // Mixtral aux loss is on for MixLoRA
        // Top-p picks a different number of experts for different tokens.
        auto *mix = dynamic_cast<MixLoraMlpImpl *>(model->layer(0).mlp->adapter());
        QVERIFY(mix);
        auto weights = route(mix->router(torch::randn({64, 32})), RoutingRule::TopP, 0, 0.8).weights;
        auto counts = (weights > 0).sum(-1);
        QVERIFY(counts.min().item<int64_t>() < counts.max().item<int64_t>());
    }
};

QTEST_APPLESS_MAIN(TestMixtures)
#include "tst_mixtures.moc"
