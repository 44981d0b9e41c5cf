// Score arithmetic of the evaluation: template hashes, standard errors, mode names, JSON shapes.
// (Forgetting and comparability are core/scores: tests/scores.)
#include "eval/task_scores.h"

#include <QtTest>
#include <nlohmann/json.hpp>

#include <cmath>
#include <sstream>

using namespace slim::engine;

namespace {

TaskScores scoresOf(const std::string &task, ScoringMode mode, const std::string &metric,
                    double value, const std::string &hash = "h")
{
    ModeScores m;
    m.mode = mode;
    m.template_hash = hash;
    m.n = 10;
    m.metrics = {{metric, value, 0.01}};
    return {task, "1", true, false, {m}};
}

} // namespace

class TestEvalScores : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fnvMatchesPublishedVectors()
    {
        // Reference values of FNV-1a 64 (Fowler/Noll/Vo test suite).
        QCOMPARE(fnv1a64Hex(""), std::string("cbf29ce484222325"));
        QCOMPARE(fnv1a64Hex("a"), std::string("af63dc4c8601ec8c"));
        QCOMPARE(fnv1a64Hex("foobar"), std::string("85944171f73967e8"));
    }

    void templateHashSeparatesTemplateDelimiterAndFormat()
    {
        const auto h = templateHash("Question: {q}\nAnswer:", " ");
        QCOMPARE(h.size(), size_t(16));
        QCOMPARE(templateHash("Question: {q}\nAnswer:", " "), h);
        QVERIFY(templateHash("Question: {q}\nAnswer:", "") != h);
        QVERIFY(templateHash("Question: {q}\nAnswer: ", "")
                != templateHash("Question: {q}\nAnswer:", " "));
        QVERIFY(templateHash("Question: {q}\nAnswer:", " ", "label") != h);
    }

    void standardErrorIsLmEvalsMeanStderr()
    {
        // mean 0.75, sample variance 0.25 (n - 1), stderr = 0.5 / sqrt(4).
        QCOMPARE(meanStandardError({1, 0, 1, 1}), 0.25);
        QCOMPARE(meanStandardError({1, 1, 1}), 0.0);
        QVERIFY(std::isnan(meanStandardError({1})));
        QVERIFY(std::abs(meanStandardError({0.5, 1.5, 4.0})
                         - std::sqrt((1.5 * 1.5 + 0.5 * 0.5 + 2.0 * 2.0) / 2.0) / std::sqrt(3.0))
                < 1e-12);
    }

    void ratioStandardErrorIsDeltaMethod()
    {
        // Equal weights: the plain stderr of the ratios.
        QVERIFY(std::abs(ratioStandardError({1, 3}, {2, 2}) - meanStandardError({0.5, 1.5}))
                < 1e-12);
        // R = 7 / 5; residuals x - R y = -0.4, 1.2, -0.8.
        const double expected = std::sqrt((0.16 + 1.44 + 0.64) / 6.0) / (5.0 / 3.0);
        QVERIFY(std::abs(ratioStandardError({1, 4, 2}, {1, 2, 2}) - expected) < 1e-12);
        QVERIFY(std::isnan(ratioStandardError({1}, {1})));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, ratioStandardError({1, 2}, {1}));
    }

    void modeNamesRoundTrip()
    {
        for (auto m : {ScoringMode::LogLikelihood, ScoringMode::LabelLogits,
                       ScoringMode::ExactMatch, ScoringMode::BitsPerByte})
            QCOMPARE(scoringModeFromName(scoringModeName(m)), std::optional<ScoringMode>(m));
        QCOMPARE(std::string(scoringModeName(ScoringMode::LabelLogits)), std::string("label_logits"));
        QVERIFY(!scoringModeFromName("regex").has_value());
        QVERIFY(!slim::higherIsBetter("bits_per_byte") && slim::higherIsBetter("acc"));
    }

    void samplesWriteAsLmEvalShapedJsonl()
    {
        auto scores = scoresOf("arc", ScoringMode::LogLikelihood, "acc", 0.5);
        scores.modes[0].samples.push_back({3,
                                           "Paris",
                                           0,
                                           {-1.5, -2.5},
                                           {true, false},
                                           0,
                                           "Paris",
                                           {{"acc", 1}, {"acc_norm", 0}}});
        std::ostringstream out;
        writeSamplesJsonl(out, scores);
        auto line = out.str();
        QCOMPARE(std::count(line.begin(), line.end(), '\n'), std::ptrdiff_t(1));
        auto j = nlohmann::json::parse(line);
        QCOMPARE(j["doc_id"].get<int>(), 3);
        QCOMPARE(j["target"].get<std::string>(), std::string("Paris"));
        QCOMPARE(j["resps"][1][0].get<double>(), -2.5);
        QCOMPARE(j["resps"][0][1].get<bool>(), true);
        QCOMPARE(j["correct"].get<bool>(), true);
        QCOMPARE(j["acc_norm"].get<double>(), 0.0);
        QCOMPARE(j["mode"].get<std::string>(), std::string("loglikelihood"));

        auto summary = toJson(scores);
        QCOMPARE(summary["modes"][0]["metrics"]["acc"]["value"].get<double>(), 0.5);
        QCOMPARE(summary["modes"][0]["template_hash"].get<std::string>(), std::string("h"));
    }
};

QTEST_APPLESS_MAIN(TestEvalScores)
#include "tst_eval_scores.moc"
