// Gradient checkpointing per decoder layer: the same loss and the same gradients as the plain
// layers for every kind of adapter (SLIM's sampled masks and clusters included), and the replay
// records nothing twice (routing statistics, cluster state).
#include "engine_test_support.h"

#include "adapters/adapter_set.h"

#include <QtTest>

using namespace slim::engine;
using namespace slim::engine::test;

namespace {

struct Step
{
    double loss = 0;
    std::vector<torch::Tensor> grads;
    std::vector<RoutingReport> routing;
    std::vector<torch::Tensor> buffers;
};

Step trainStep(AdapterMethod method, bool checkpointing)
{
    auto model = tinyModel(4);
    auto config = AdapterConfig::defaultsFor(method);
    config.lora_rank = 4;
    config.num_lora_experts = 3;
    config.num_clusters = 2;
    config.aux_loss_coef = 0;
    torch::manual_seed(8);
    AdapterSet set(model, config);
    {
        torch::NoGradGuard g;
        for (auto &p : set->parameters())
            p.add_(torch::randn_like(p) * 0.05);
    }
    model->setGradientCheckpointing(checkpointing);
    set->train();
    Step step;
    for (int micro = 0; micro < 2; ++micro) { // the second sees the first's clusters
        torch::manual_seed(100 + micro);
        auto ids = randomTokens(2, 12, 30 + micro);
        auto logits = model->forward(ids);
        auto loss = torch::nn::functional::cross_entropy(
            logits.slice(1, 0, -1).reshape({-1, logits.size(-1)}), ids.slice(1, 1).reshape({-1}));
        loss.backward();
        step.loss += loss.item<double>();
    }
    for (auto &p : set->trainableParameters())
        step.grads.push_back(p.grad().defined() ? p.grad().clone() : torch::zeros_like(p));
    step.routing = set->takeRoutingReports();
    for (auto &b : set->buffers())
        step.buffers.push_back(b.clone());
    return step;
}

} // namespace

class TestLayerCheckpoint : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sameLossAndGradients_data()
    {
        QTest::addColumn<QString>("method");
        for (const char *m : {"lora", "dora", "slim", "loramoe", "mola", "full"})
            QTest::newRow(m) << m;
    }

    void sameLossAndGradients()
    {
        QFETCH(QString, method);
        const auto m = methodFromName(method.toStdString());
        const auto plain = trainStep(m, false);
        const auto checkpointed = trainStep(m, true);
        QCOMPARE(checkpointed.loss, plain.loss);
        QCOMPARE(checkpointed.grads.size(), plain.grads.size());
        double worst = 0, largest = 0;
        for (size_t i = 0; i < plain.grads.size(); ++i) {
            worst = std::max(worst, maxAbsDiff(checkpointed.grads[i], plain.grads[i]));
            largest = std::max(largest, plain.grads[i].abs().max().item<double>());
        }
        QVERIFY(largest > 0);
        QVERIFY2(worst < 1e-5, qPrintable(QString("max |gradient difference| %1").arg(worst)));
        // The replay recorded nothing twice.
        QCOMPARE(checkpointed.routing.size(), plain.routing.size());
        for (size_t i = 0; i < plain.routing.size(); ++i)
            QCOMPARE(checkpointed.routing[i].tokens, plain.routing[i].tokens);
        QCOMPARE(checkpointed.buffers.size(), plain.buffers.size());
        for (size_t i = 0; i < plain.buffers.size(); ++i)
            QVERIFY(torch::equal(checkpointed.buffers[i], plain.buffers[i]));
    }
};

QTEST_APPLESS_MAIN(TestLayerCheckpoint)
#include "tst_layer_checkpoint.moc"
