// The checks of slim-method.md §2.4 on the SLIM layer, plus its statistics.
#include "engine_test_support.h"

#include "adapters/dynamic_merge.h"
#include "adapters/lora_bank.h"
#include "adapters/routing.h"
#include "adapters/sliding_clusters.h"
#include "adapters/slim_mlp.h"

#include <QtTest>

using namespace slim::engine;
using namespace slim::engine::test;

namespace {

LlamaConfig mlpConfig()
{
    auto c = tinyConfig();
    c.hidden_size = 8;
    c.intermediate_size = 16;
    c.num_attention_heads = 2;
    c.num_key_value_heads = 2;
    return c;
}

AdapterConfig slimConfig()
{
    auto c = AdapterConfig::defaultsFor(AdapterMethod::Slim);
    c.num_lora_experts = 4;
    c.num_identity_experts = 2;
    c.lora_rank = 2;
    c.lora_alpha = 4;
    c.num_clusters = 2;
    return c;
}

struct SlimFixture
{
    Mlp mlp{nullptr};
    SlimMlp slim{nullptr};

    explicit SlimFixture(const AdapterConfig &config, uint64_t seed = 3)
    {
        torch::manual_seed(seed);
        mlp = Mlp(mlpConfig());
        slim = SlimMlp(config, *mlp, 0);
        torch::NoGradGuard g;
        for (auto &p : slim->parameters())
            p.copy_(torch::randn_like(p) * 0.3); // trained-looking A, B and router
        for (auto &p : mlp->parameters())
            p.set_requires_grad(false);
        mlp->setAdapter(slim.ptr());
    }
    torch::Tensor run(const torch::Tensor &u) { return mlp->forward(u, {}); }
    torch::Tensor base(const torch::Tensor &u) { return mlp->projectionsForward(u); }
};

torch::Tensor inputs(int64_t tokens, uint64_t seed = 9, double scale = 1.0, double shift = 0.0)
{
    auto gen = at::detail::createCPUGenerator(seed);
    return torch::randn({1, tokens, 8}, gen) * scale + shift;
}

} // namespace

class TestSlimLayer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // §2.4.1: p = 0, gamma = 0, no identity experts -> a top-K LoRA mixture on the MLP.
    void equalsTopKLoraMixtureWithoutDropYieldOrIdentity()
    {
        auto config = slimConfig();
        config.num_identity_experts = 0;
        config.weight_yielding = false;
        config.drop_rate = 0.0;
        SlimFixture f(config);
        f.slim->train();
        auto u = inputs(6);
        auto out = f.run(u).squeeze(0);

        // Reference: per token, merge the chosen experts' dense deltas into each weight.
        auto x = u.squeeze(0);
        const double s = config.scaling();
        for (int64_t t = 0; t < x.size(0); ++t) {
            auto z = f.slim->router->weight.matmul(x[t]);
            auto [vals, idx] = z.topk(config.top_k);
            auto w = torch::softmax(vals, 0);
            auto effective = [&](LoraBank &bank, const torch::Tensor &weight) {
                auto merged = weight.clone();
                for (int64_t k = 0; k < config.top_k; ++k) {
                    auto i = idx[k].item<int64_t>();
                    merged += w[k] * s * bank->lora_B[i].matmul(bank->lora_A[i]);
                }
                return merged;
            };
            auto g = effective(f.slim->gate_proj, f.mlp->gate_proj->weight).matmul(x[t]);
            auto up = effective(f.slim->up_proj, f.mlp->up_proj->weight).matmul(x[t]);
            auto y = effective(f.slim->down_proj, f.mlp->down_proj->weight)
                         .matmul(torch::silu(g) * up);
            QVERIFY2(maxAbsDiff(y, out[t]) < 1e-4, qPrintable(QString::number(t)));
        }
    }

    // §2.4.2: identity experts forced into the top-K -> exactly the frozen base.
    void identityExpertsGiveExactBase()
    {
        auto config = slimConfig();
        config.yield_gamma = 1e6;
        SlimFixture f(config);
        f.slim->train();
        f.run(inputs(32)); // clusters learn this distribution
        f.slim->eval();
        auto far = inputs(10, 21, 1.0, 40.0); // d+ is huge for every token
        f.slim->takeRoutingReport();
        auto out = f.run(far);
        QVERIFY(torch::equal(out, f.base(far)));
        auto report = f.slim->takeRoutingReport();
        QCOMPARE(report.full_identity_rate, 1.0);
        QVERIFY(std::abs(report.identity_mass - 1.0) < 1e-6);
        QVERIFY(report.is_identity[4] && report.is_identity[5] && !report.is_identity[0]);
        // In-distribution inputs do reach the LoRA experts.
        QVERIFY(!torch::equal(f.run(inputs(10, 9)), f.base(inputs(10, 9))));
    }

    // §2.4.3 and §2.4.4 at the level where masks act linearly (one projection's delta).
    void expectedMaskEqualsMeanOfSamples()
    {
        torch::manual_seed(5);
        LoraBank bank(3, 12, 10, 2, 2.0, 0.0);
        {
            torch::NoGradGuard g;
            bank->lora_B.normal_();
        }
        auto x = torch::randn({4, 12});
        auto w = torch::softmax(torch::randn({4, 3}), -1);
        DropSettings drop{0.5, false};
        auto opts = x.options();
        auto fastExpected = bank->delta(x, w, fastMasks(3, 12, 10, drop, MaskMode::Expected, opts));
        auto dense = naiveMask(3, 12, 10, drop, MaskMode::Expected, opts);
        auto naiveExpected = bank->naiveDelta(x, w, dense.mask, dense.factor);
        // §2.4.4: both paths drop the same fraction in expectation.
        QVERIFY(maxAbsDiff(fastExpected, naiveExpected) < 1e-5);
        QVERIFY(maxAbsDiff(fastExpected, bank->delta(x, w) * 0.5) < 1e-5);

        const int samples = 4000;
        auto fastMean = torch::zeros_like(fastExpected), naiveMean = torch::zeros_like(fastExpected);
        for (int i = 0; i < samples; ++i) {
            fastMean += bank->delta(x, w, fastMasks(3, 12, 10, drop, MaskMode::Sample, opts));
            auto m = naiveMask(3, 12, 10, drop, MaskMode::Sample, opts);
            naiveMean += bank->naiveDelta(x, w, m.mask, m.factor);
        }
        fastMean /= samples;
        naiveMean /= samples;
        const double scale = fastExpected.abs().max().item<double>();
        QVERIFY2(maxAbsDiff(fastMean, fastExpected) < 0.05 * scale,
                 qPrintable(QString::number(maxAbsDiff(fastMean, fastExpected) / scale)));
        QVERIFY(maxAbsDiff(naiveMean, naiveExpected) < 0.05 * scale);
        // A single sample really drops features.
        auto one = fastMasks(3, 12, 10, drop, MaskMode::Sample, opts);
        const double keptIn = one.in.mean().item<double>();
        QVERIFY(keptIn > 0.4 && keptIn < 0.99);
    }

    void dareRescaleKeepsTheExpectation()
    {
        DropSettings drop{0.3, true};
        auto masks = fastMasks(2, 5, 7, drop, MaskMode::Expected, torch::TensorOptions());
        QVERIFY(std::abs((masks.in[0][0] * masks.out[0][0]).item<double>() - 1.0) < 1e-6);
        QVERIFY(!fastMasks(2, 5, 7, {0.0, false}, MaskMode::Sample, {}).in.defined());
    }

    void naiveAndFastMergeAgreeWithoutDrop()
    {
        auto config = slimConfig();
        config.inference_mask = "none";
        SlimFixture fast(config);
        config.merge = "naive";
        SlimFixture naive(config);
        fast.slim->eval();
        naive.slim->eval();
        auto u = inputs(7);
        QVERIFY(maxAbsDiff(fast.run(u), naive.run(u)) < 1e-5);
    }

    // §2.4.5: sliding clustering recovers a Gaussian mixture; d+ grows away from it.
    void slidingClusteringRecoversGaussianMixture()
    {
        torch::manual_seed(11);
        const auto means = torch::tensor({{-6.0, 0.0, 2.0, 1.0},
                                          {5.0, 5.0, -3.0, 0.0},
                                          {0.0, -7.0, 6.0, -4.0}});
        const auto stds = torch::tensor({{0.5, 1.0, 0.7, 0.3},
                                         {1.2, 0.4, 0.6, 0.9},
                                         {0.8, 0.8, 1.5, 0.5}});
        auto sample = [&](int64_t n) {
            auto comp = torch::randint(0, 3, {n});
            return means.index_select(0, comp) + torch::randn({n, 4}) * stds.index_select(0, comp);
        };
        ClusterOptions o;
        o.num_clusters = 3;
        o.beta = 0.05;
        SlidingClusters clusters(4, o);
        auto valid = torch::ones({256}, torch::kBool);
        clusters->initialise(sample(256), valid);
        for (int step = 0; step < 400; ++step) {
            auto x = sample(256);
            clusters->update(x, clusters->assign(x), valid);
        }
        for (int64_t k = 0; k < 3; ++k) {
            auto dist = (clusters->centres - means[k]).pow(2).sum(-1);
            auto j = dist.argmin().item<int64_t>();
            QVERIFY2(dist[j].item<double>() < 0.1, qPrintable(QString::number(dist[j].item<double>())));
            auto ratio = clusters->sigma2[j] / stds[k].pow(2);
            QVERIFY2((ratio - 1).abs().max().item<double>() < 0.25,
                     qPrintable(QString::number((ratio - 1).abs().max().item<double>())));
        }
        auto inside = sample(500);
        auto outside = torch::randn({500, 4}) * 3 + torch::tensor({12.0, -12.0, 12.0, 12.0});
        auto dIn = clusters->dplus(inside, clusters->assign(inside)).mean().item<double>();
        auto dOut = clusters->dplus(outside, clusters->assign(outside)).mean().item<double>();
        QVERIFY2(dOut > 5 * dIn + 1, qPrintable(QString("%1 vs %2").arg(dIn).arg(dOut)));
    }

    void clustersSkipPadsAndEmptyClusters()
    {
        ClusterOptions o;
        o.num_clusters = 2;
        o.beta = 0.5;
        SlidingClusters clusters(2, o);
        clusters->initialise(torch::tensor({{0.0, 0.0}, {10.0, 10.0}}), torch::ones({2}, torch::kBool));
        auto before = clusters->centres.clone();
        // Only the pad row is near the far centre: it must not move it.
        auto x = torch::tensor({{1.0, 1.0}, {11.0, 11.0}});
        auto idx = clusters->assign(x);
        const auto near = idx[0].item<int64_t>(), far = idx[1].item<int64_t>();
        QVERIFY(near != far);
        clusters->update(x, idx, torch::tensor({true, false}));
        QVERIFY(torch::equal(clusters->centres[far], before[far]));
        QVERIFY(!torch::equal(clusters->centres[near], before[near]));
        auto report = clusters->takeReport();
        QCOMPARE(report.sizes[near], int64_t(1));
        QCOMPARE(report.sizes[far], int64_t(0));
        QVERIFY(report.drift[near] > 0 && report.drift[far] == 0);
    }

    // §2.4.6: gradients reach A, B and the router (finite differences); clusters get none.
    void gradientsReachAdaptersAndRouterNotClusters()
    {
        auto config = slimConfig();
        config.drop_rate = 0.5;
        config.inference_mask = "expected"; // deterministic forward for finite differences
        SlimFixture f(config);
        f.slim->train();
        f.run(inputs(16)); // initialise the clusters
        f.slim->eval();
        f.mlp->to(torch::kDouble);
        f.slim->to(torch::kDouble);
        auto u = inputs(5).to(torch::kDouble);
        auto probe = torch::randn({1, 5, 8}, torch::kDouble);
        auto loss = [&] { return (f.run(u) * probe).sum(); };
        for (auto &p : f.slim->parameters())
            p.mutable_grad() = torch::Tensor();
        loss().backward();

        auto check = [&](torch::Tensor param, std::vector<int64_t> index, const char *name) {
            torch::NoGradGuard g;
            auto element = param;
            for (auto i : index)
                element = element[i];
            const double eps = 1e-6;
            const double orig = element.item<double>();
            element.fill_(orig + eps);
            const double up = loss().item<double>();
            element.fill_(orig - eps);
            const double down = loss().item<double>();
            element.fill_(orig);
            const double numeric = (up - down) / (2 * eps);
            auto grad = param.grad();
            for (auto i : index)
                grad = grad[i];
            const double analytic = grad.item<double>();
            QVERIFY2(std::abs(numeric) > 1e-8, name);
            QVERIFY2(std::abs(numeric - analytic) < 1e-5 * std::max(1.0, std::abs(numeric)),
                     qPrintable(QString("%1: numeric %2 analytic %3").arg(name).arg(numeric).arg(analytic)));
        };
        // The expert most used by token 0 gives a non-zero derivative.
        auto expert = f.slim->lastWeights()[0].slice(0, 0, 4).argmax().item<int64_t>();
        check(f.slim->gate_proj->lora_A, {expert, 0, 1}, "gate A");
        check(f.slim->down_proj->lora_B, {expert, 2, 1}, "down B");
        check(f.slim->up_proj->lora_B, {expert, 3, 0}, "up B");
        check(f.slim->router->weight, {expert, 2}, "router");
        for (auto &b : f.slim->buffers())
            QVERIFY(!b.requires_grad() && !b.grad().defined());
        for (auto &item : f.slim->named_parameters())
            QVERIFY2(item.key().find("clusters") == std::string::npos, item.key().c_str());
    }

    void routingWeightsAreTopKAndReportsAddUp()
    {
        SlimFixture f(slimConfig());
        f.slim->train();
        f.run(inputs(20));
        auto w = f.slim->lastWeights();
        QVERIFY((w >= 0).all().item<bool>());
        QVERIFY(((w.sum(-1) - 1).abs() < 1e-6).all().item<bool>());
        QVERIFY(((w > 0).sum(-1) == 2).all().item<bool>());
        auto report = f.slim->takeRoutingReport();
        QCOMPARE(report.tokens, int64_t(20));
        double mass = 0, share = 0;
        for (size_t i = 0; i < report.mean_weight.size(); ++i) {
            mass += report.mean_weight[i];
            share += report.selection_share[i];
        }
        QVERIFY(std::abs(mass - 1) < 1e-6 && std::abs(share - 1) < 1e-9);
        QVERIFY(report.router_entropy > 0 && report.router_entropy <= std::log(6.0) + 1e-9);
        auto clusters = f.slim->takeClusterReport();
        QVERIFY(clusters.initialised);
        QCOMPARE(clusters.scored, int64_t(20));
        int64_t histogram = 0;
        for (auto c : clusters.dplus_histogram)
            histogram += c;
        QCOMPARE(histogram, int64_t(20));
        QCOMPARE(clusters.centres.size(), size_t(2 * 8));
    }

    // Why ood_reference defaults to "running": with the literal d = max_ch |z| - 1, in-domain
    // inputs of a 32-channel layer already score d+ of about 1.5, the identity experts win the
    // top-K for every token, and no LoRA expert or router weight ever receives a gradient.
    void literalOodScoreYieldsEveryInDomainToken()
    {
        auto fractionSeeingBase = [](const char *reference) {
            auto config = slimConfig();
            config.ood_reference = reference;
            torch::manual_seed(3);
            auto mc = mlpConfig();
            mc.hidden_size = 32;
            Mlp mlp(mc);
            SlimMlp slim(config, *mlp, 0);
            mlp->setAdapter(slim.ptr());
            slim->train();
            auto gen = at::detail::createCPUGenerator(1);
            auto u = torch::randn({4, 64, 32}, gen);
            mlp->forward(u, {}); // first batch seeds the clusters
            slim->takeRoutingReport();
            mlp->forward(torch::randn({4, 64, 32}, gen), {}); // fresh in-domain inputs
            return slim->takeRoutingReport().full_identity_rate;
        };
        QVERIFY(fractionSeeingBase("one") > 0.95);
        QVERIFY(fractionSeeingBase("running") < 0.5);
    }

    void clusterOptionsRun()
    {
        for (const char *option : {"sequence", "standardised", "p99", "naive", "reseed"}) {
            auto config = slimConfig();
            config.cluster_granularity = std::string(option) == "sequence" ? "sequence" : "token";
            config.router_input = std::string(option) == "standardised" ? "standardised" : "raw";
            config.cluster_distance = config.router_input == "standardised" ? "standardised" : "euclidean";
            config.ood_statistic = std::string(option) == "p99" ? "p99" : "max";
            config.merge = std::string(option) == "naive" ? "naive" : "fast";
            config.cluster_reseed_after = std::string(option) == "reseed" ? 1 : 0;
            config.validate(1);
            SlimFixture f(config);
            f.slim->train();
            auto u = torch::randn({3, 5, 8});
            auto mask = torch::ones({3, 5}, torch::kBool);
            mask[0][0] = false;
            for (int i = 0; i < 3; ++i)
                QVERIFY2(torch::isfinite(f.mlp->forward(u, mask)).all().item<bool>(), option);
            auto report = f.slim->takeClusterReport();
            QVERIFY2(report.scored == (config.cluster_granularity == "sequence" ? 9 : 42), option);
        }
    }
};

QTEST_APPLESS_MAIN(TestSlimLayer)
#include "tst_slim_layer.moc"
