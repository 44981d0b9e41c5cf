// The methods' numbers against references computed in the test from the equations of
// slim-method.md and the DoRA paper / PEFT, never by the engine function under test: DoRA's
// magnitude-normalised weight and output, one sliding-cluster EMA step, d+ and the
// gamma * d+ that weight yielding adds to the identity experts' logits.
#include "engine_test_support.h"

#include "adapters/lora_adapter.h"
#include "adapters/sliding_clusters.h"
#include "adapters/slim_mlp.h"

#include <QtTest>

#include <algorithm>
#include <cmath>
#include <vector>

using namespace slim::engine;
using namespace slim::engine::test;

namespace {

using Matrix = std::vector<std::vector<double>>;

torch::Tensor toTensor(const Matrix &m)
{
    std::vector<double> flat;
    for (const auto &row : m)
        flat.insert(flat.end(), row.begin(), row.end());
    return torch::tensor(flat, torch::kDouble)
        .view({int64_t(m.size()), int64_t(m.front().size())})
        .to(torch::kFloat);
}

Matrix toMatrix(const torch::Tensor &t)
{
    auto c = t.detach().to(torch::kDouble).contiguous().cpu();
    auto a = c.accessor<double, 2>();
    Matrix m(size_t(c.size(0)), std::vector<double>(size_t(c.size(1))));
    for (int64_t i = 0; i < c.size(0); ++i)
        for (int64_t j = 0; j < c.size(1); ++j)
            m[size_t(i)][size_t(j)] = a[i][j];
    return m;
}

double maxAbsDiff(const Matrix &a, const torch::Tensor &b)
{
    return (toTensor(a).to(torch::kDouble) - b.detach().to(torch::kDouble)).abs().max().item<double>();
}

// d+ by hand (slim-method.md §2.1 with the reference tau of core/README.md): nearest centre by
// squared Euclidean distance, max over channels of |u - c| / (sigma + eps), d = stat / tau - 1,
// clamped at 0. Returns {d+, cluster index} per row.
std::vector<std::pair<double, int64_t>> handDplus(const Matrix &x, const Matrix &centres,
                                                  const Matrix &sigma2, double tau, double eps)
{
    std::vector<std::pair<double, int64_t>> out;
    for (const auto &u : x) {
        int64_t best = 0;
        double bestDist = INFINITY;
        for (size_t j = 0; j < centres.size(); ++j) {
            double dist = 0;
            for (size_t c = 0; c < u.size(); ++c)
                dist += (u[c] - centres[j][c]) * (u[c] - centres[j][c]);
            if (dist < bestDist) {
                bestDist = dist;
                best = int64_t(j);
            }
        }
        double stat = 0;
        for (size_t c = 0; c < u.size(); ++c)
            stat = std::max(stat, std::abs(u[c] - centres[size_t(best)][c])
                                      / (std::sqrt(sigma2[size_t(best)][c]) + eps));
        out.push_back({std::max(stat / tau - 1.0, 0.0), best});
    }
    return out;
}

std::vector<double> softmax(const std::vector<double> &z)
{
    double top = -INFINITY, sum = 0;
    for (double v : z)
        top = std::max(top, v);
    std::vector<double> p;
    for (double v : z)
        sum += std::exp(v - top);
    for (double v : z)
        p.push_back(std::exp(v - top) / sum);
    return p;
}

} // namespace

class TestMethodNumbers : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // DoRA (Liu et al.; PEFT's `weight_norm` = ||W + s B A|| over dim 1, per output row):
    // y = m / ||W + s B A||_row * (W x + s B A x) + b, and the folded weight
    // m / ||W + s B A||_row * (W + s B A), on a 3x2 weight with known numbers.
    void doraMatchesHandComputation()
    {
        const Matrix W = {{1, 2}, {3, -1}, {0, 2}}; // [out 3, in 2]
        const std::vector<double> bias = {0.5, -1, 2};
        const Matrix A = {{1, -2}};                 // [r 1, in 2]
        const Matrix B = {{2}, {0}, {-1}};          // [out 3, r 1]
        const double s = 0.5;
        const std::vector<double> m = {3, 2, 1};
        const Matrix x = {{1, 1}, {2, -1}, {-0.5, 3}};

        AdaptableLinear base(2, 3, true);
        {
            torch::NoGradGuard g;
            base->weight.copy_(toTensor(W));
            base->bias.copy_(torch::tensor(bias, torch::kDouble).to(torch::kFloat));
        }
        LoraAdapter dora(*base, 1, s, 0.0, true);
        // m starts at ||W||_row: sqrt(1 + 4), sqrt(9 + 1), sqrt(0 + 4).
        auto m0 = dora->magnitude.detach().to(torch::kDouble);
        QVERIFY(std::abs(m0[0].item<double>() - std::sqrt(5.0)) < 1e-6);
        QVERIFY(std::abs(m0[1].item<double>() - std::sqrt(10.0)) < 1e-6);
        QVERIFY(std::abs(m0[2].item<double>() - 2.0) < 1e-6);
        {
            torch::NoGradGuard g;
            dora->lora_A.copy_(toTensor(A));
            dora->lora_B.copy_(toTensor(B));
            dora->magnitude.copy_(torch::tensor(m, torch::kDouble).to(torch::kFloat));
        }
        base->setAdapter(dora.ptr());

        // By hand: V = W + s B A; n_o = sqrt(sum_i V[o][i]^2); W_dora = m_o / n_o * V.
        // V = [[2, 0], [3, -1], [-0.5, 3]], n = (2, sqrt 10, sqrt 9.25).
        Matrix merged(3, std::vector<double>(2));
        for (size_t o = 0; o < 3; ++o) {
            double norm2 = 0;
            for (size_t i = 0; i < 2; ++i) {
                merged[o][i] = W[o][i] + s * B[o][0] * A[0][i];
                norm2 += merged[o][i] * merged[o][i];
            }
            for (size_t i = 0; i < 2; ++i)
                merged[o][i] *= m[o] / std::sqrt(norm2);
        }
        QVERIFY(std::abs(merged[0][0] - 3.0) < 1e-12 && merged[0][1] == 0.0); // 3 / 2 * (2, 0)
        Matrix expected(x.size(), std::vector<double>(3));
        for (size_t t = 0; t < x.size(); ++t)
            for (size_t o = 0; o < 3; ++o)
                expected[t][o] = merged[o][0] * x[t][0] + merged[o][1] * x[t][1] + bias[o];

        torch::NoGradGuard g;
        auto out = base->forward(toTensor(x));
        QVERIFY2(maxAbsDiff(expected, out) < 1e-5,
                 qPrintable(QString("DoRA output off by %1").arg(maxAbsDiff(expected, out))));
        // The folded weight is the same magnitude-normalised matrix.
        dora->foldInto(*base);
        QVERIFY2(maxAbsDiff(merged, base->weight) < 1e-6,
                 qPrintable(QString("folded weight off by %1").arg(maxAbsDiff(merged, base->weight))));
    }

    // One sliding update (slim-method.md §2.1) with known inputs and assignments, by hand:
    // mu, v per channel over a cluster's valid tokens; c <- (1-b) c + b mu;
    // sigma2 <- (1-b) sigma2 + b (v + (mu - c_old)^2); empty clusters and pads leave nothing.
    void slidingUpdateIsTheEmaStep()
    {
        const double beta = 0.2, eps = 1e-5, tau = 1.3;
        const Matrix centres = {{0, 0, 0}, {10, 10, 10}, {-20, 5, 0}};
        const Matrix sigma2 = {{1, 2, 0.5}, {4, 1, 1}, {1, 1, 1}};
        const Matrix x = {{1, 2, -1}, {3, 0, 1}, {9, 11, 10}, {12, 8, 10.5}, {10, 10, 7},
                          {100, 100, 100}};
        const std::vector<int64_t> idx = {0, 0, 1, 1, 1, 0};
        const std::vector<bool> valid = {true, true, true, true, true, false}; // last is a pad

        ClusterOptions o;
        o.num_clusters = 3;
        o.beta = beta;
        o.eps = eps;
        SlidingClusters clusters(3, o);
        {
            torch::NoGradGuard g;
            clusters->centres.copy_(toTensor(centres));
            clusters->sigma2.copy_(toTensor(sigma2));
            clusters->reference.fill_(tau);
            clusters->ready.fill_(1);
        }
        clusters->update(toTensor(x), torch::tensor(idx, torch::kLong),
                         torch::tensor({1, 1, 1, 1, 1, 0}).to(torch::kBool));

        Matrix c = centres, s2 = sigma2;
        for (size_t j = 0; j < 3; ++j) {
            std::vector<size_t> members;
            for (size_t t = 0; t < x.size(); ++t)
                if (valid[t] && idx[t] == int64_t(j))
                    members.push_back(t);
            if (members.empty())
                continue;
            for (size_t ch = 0; ch < 3; ++ch) {
                double mu = 0, v = 0;
                for (auto t : members)
                    mu += x[t][ch] / double(members.size());
                for (auto t : members)
                    v += (x[t][ch] - mu) * (x[t][ch] - mu) / double(members.size());
                c[j][ch] = (1 - beta) * centres[j][ch] + beta * mu;
                s2[j][ch] = (1 - beta) * sigma2[j][ch]
                            + beta * (v + (mu - centres[j][ch]) * (mu - centres[j][ch]));
            }
        }
        // Cluster 0, channel 0: mu = 2, v = 1 -> c = 0.4, sigma2 = 0.8 + 0.2 * (1 + 4) = 1.8.
        QVERIFY(std::abs(c[0][0] - 0.4) < 1e-12 && std::abs(s2[0][0] - 1.8) < 1e-12);
        QVERIFY2(maxAbsDiff(c, clusters->centres) < 1e-5,
                 qPrintable(QString("centres off by %1").arg(maxAbsDiff(c, clusters->centres))));
        QVERIFY2(maxAbsDiff(s2, clusters->sigma2) < 1e-5,
                 qPrintable(QString("sigma2 off by %1").arg(maxAbsDiff(s2, clusters->sigma2))));
        QVERIFY(torch::equal(clusters->centres[2], toTensor(centres)[2])); // empty: skipped
        QCOMPARE(clusters->empty_steps[2].item<double>(), 1.0);
        QCOMPARE(clusters->empty_steps[0].item<double>(), 0.0);

        // The running reference (core/README.md): tau <- (1-b) tau + b * mean over valid tokens
        // of max_ch |u - c_idx| / (sigma_idx + eps), from the updated centres and variances.
        double meanStat = 0;
        for (size_t t = 0; t < 5; ++t) {
            double stat = 0;
            for (size_t ch = 0; ch < 3; ++ch)
                stat = std::max(stat, std::abs(x[t][ch] - c[size_t(idx[t])][ch])
                                          / (std::sqrt(s2[size_t(idx[t])][ch]) + eps));
            meanStat += stat / 5.0;
        }
        const double tauExpected = (1 - beta) * tau + beta * meanStat;
        QVERIFY2(std::abs(clusters->reference.item<double>() - tauExpected) < 1e-5,
                 qPrintable(QString("tau %1, expected %2")
                                .arg(clusters->reference.item<double>()).arg(tauExpected)));
    }

    // d+ of known inputs from known centres and variances, with the literal reference (tau = 1)
    // and a running reference tau = 1.6.
    void dplusOfKnownInputs()
    {
        const Matrix centres = {{0, 0}, {5, 5}};
        const Matrix sigma2 = {{1, 4}, {0.25, 9}};
        // Nearest 0: stat max(0.5, 0.25) -> d+ 0; nearest 0: stat 3 -> d = 2; nearest 1:
        // |6 - 5| / 0.5 = 2 -> d = 1; nearest 1: |-4| / 3 -> d = 1/3.
        const Matrix x = {{0.5, 0.5}, {3, 1}, {6, 5}, {5, 1}};
        for (double tau : {1.0, 1.6}) {
            ClusterOptions o;
            o.num_clusters = 2;
            o.eps = 1e-5;
            SlidingClusters clusters(2, o);
            {
                torch::NoGradGuard g;
                clusters->centres.copy_(toTensor(centres));
                clusters->sigma2.copy_(toTensor(sigma2));
                clusters->reference.fill_(tau);
                clusters->ready.fill_(1);
            }
            auto hand = handDplus(x, centres, sigma2, tau, 1e-5);
            auto xt = toTensor(x);
            auto idx = clusters->assign(xt);
            auto d = clusters->dplus(xt, idx);
            for (size_t t = 0; t < x.size(); ++t) {
                QCOMPARE(idx[int64_t(t)].item<int64_t>(), hand[t].second);
                QVERIFY2(std::abs(d[int64_t(t)].item<double>() - hand[t].first) < 1e-5,
                         qPrintable(QString("tau %1 token %2: d+ %3, expected %4")
                                        .arg(tau).arg(t).arg(d[int64_t(t)].item<double>())
                                        .arg(hand[t].first)));
            }
            // The literal values written above (tau = 1).
            if (tau == 1.0) {
                QCOMPARE(d[0].item<double>(), 0.0);
                QVERIFY(std::abs(d[1].item<double>() - 2.0) < 1e-4);
                QVERIFY(std::abs(d[2].item<double>() - 1.0) < 1e-4);
                QVERIFY(std::abs(d[3].item<double>() - 1.0 / 3) < 1e-4);
            }
        }
    }

    // Weight yielding in the SLIM layer: identity experts' logits gain exactly gamma * d+.
    // With top_k = every expert the routing weights are softmax(z_hat), so they pin z_hat up to a
    // constant; with top_k = 2, the top-2 of z_hat renormalised.
    void yieldingAddsGammaDplusToIdentityLogits()
    {
        const double gamma = 0.7, tau = 1.4;
        const int64_t d = 8, nLora = 4, nId = 2, e = nLora + nId, tokens = 6;
        auto mc = tinyConfig();
        mc.hidden_size = d;
        mc.intermediate_size = 16;
        mc.num_attention_heads = 2;
        mc.num_key_value_heads = 2;
        auto config = AdapterConfig::defaultsFor(AdapterMethod::Slim);
        config.num_lora_experts = nLora;
        config.num_identity_experts = nId;
        config.lora_rank = 2;
        config.lora_alpha = 4;
        config.num_clusters = 2;
        config.yield_gamma = gamma;
        config.inference_mask = "expected";

        auto gen = at::detail::createCPUGenerator(17);
        auto routerWeight = torch::randn({e, d}, gen) * 0.5;
        auto centres = torch::randn({2, d}, gen) * 2;
        auto sigma2 = torch::rand({2, d}, gen) + 0.5;
        // Tokens near a centre, some pushed far along one channel.
        auto u = torch::empty({tokens, d});
        const double push[] = {0.0, 0.0, 2.5, 4.0, 6.0, 3.0};
        for (int64_t t = 0; t < tokens; ++t) {
            u[t] = centres[t % 2] + torch::randn({d}, gen) * 0.3;
            u[t][t % d] += push[t];
        }

        auto layer = [&](const AdapterConfig &c) {
            torch::manual_seed(3);
            Mlp mlp(mc);
            SlimMlp slim(c, *mlp, 0);
            torch::NoGradGuard g;
            slim->router->weight.copy_(routerWeight);
            slim->clusters->centres.copy_(centres);
            slim->clusters->sigma2.copy_(sigma2);
            slim->clusters->reference.fill_(tau);
            slim->clusters->ready.fill_(1);
            mlp->setAdapter(slim.ptr());
            slim->eval();
            mlp->forward(u.unsqueeze(0), {});
            return slim->lastWeights().to(torch::kDouble);
        };
        auto dense = config;
        dense.top_k = e;
        auto noYield = dense;
        noYield.weight_yielding = false;
        const auto yielded = layer(dense);
        const auto plain = layer(noYield);
        const auto top2 = layer(config);

        auto hand = handDplus(toMatrix(u), toMatrix(centres), toMatrix(sigma2), tau, config.cluster_eps);
        int positive = 0, zero = 0;
        for (auto &h : hand) {
            positive += h.first > 0.1 ? 1 : 0;
            zero += h.first == 0.0 ? 1 : 0;
        }
        QVERIFY2(positive >= 2 && zero >= 1, "the inputs must give both d+ = 0 and d+ > 0");

        const auto G = toMatrix(routerWeight);
        const auto U = toMatrix(u);
        for (int64_t t = 0; t < tokens; ++t) {
            std::vector<double> z(size_t(e), 0.0), zHat;
            for (int64_t i = 0; i < e; ++i)
                for (int64_t c = 0; c < d; ++c)
                    z[size_t(i)] += G[size_t(i)][size_t(c)] * U[size_t(t)][size_t(c)];
            zHat = z;
            for (int64_t i = nLora; i < e; ++i)
                zHat[size_t(i)] += gamma * hand[size_t(t)].first;
            const auto pHat = softmax(zHat), p = softmax(z);
            // Top-2 of z_hat, renormalised.
            std::vector<size_t> order(static_cast<size_t>(e));
            for (size_t i = 0; i < order.size(); ++i)
                order[i] = i;
            std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return zHat[a] > zHat[b]; });
            const auto p2 = softmax({zHat[order[0]], zHat[order[1]]});
            std::vector<double> w2(size_t(e), 0.0);
            w2[order[0]] = p2[0];
            w2[order[1]] = p2[1];
            for (int64_t i = 0; i < e; ++i) {
                const auto label = QString("token %1 expert %2 (d+ %3)").arg(t).arg(i).arg(hand[size_t(t)].first);
                QVERIFY2(std::abs(yielded[t][i].item<double>() - pHat[size_t(i)]) < 1e-5,
                         qPrintable(label + QString(": yielded weight %1, expected %2")
                                                .arg(yielded[t][i].item<double>()).arg(pHat[size_t(i)])));
                QVERIFY2(std::abs(plain[t][i].item<double>() - p[size_t(i)]) < 1e-5, qPrintable(label));
                QVERIFY2(std::abs(top2[t][i].item<double>() - w2[size_t(i)]) < 1e-5,
                         qPrintable(label + QString(": top-2 weight %1, expected %2")
                                                .arg(top2[t][i].item<double>()).arg(w2[size_t(i)])));
                // The engine's logit shift, read from its weights: log(w_i / w_0) with minus
                // without yielding is gamma * d+ for identity experts and 0 for LoRA experts.
                const double shift = std::log(yielded[t][i].item<double>() / yielded[t][0].item<double>())
                                     - std::log(plain[t][i].item<double>() / plain[t][0].item<double>());
                const double expectedShift = i >= nLora ? gamma * hand[size_t(t)].first : 0.0;
                QVERIFY2(std::abs(shift - expectedShift) < 1e-4,
                         qPrintable(label + QString(": logit shift %1, expected %2")
                                                .arg(shift).arg(expectedShift)));
            }
        }
    }
};

QTEST_APPLESS_MAIN(TestMethodNumbers)
#include "tst_method_numbers.moc"
