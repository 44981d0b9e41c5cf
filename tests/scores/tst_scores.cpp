// core/scores' rules, pinned one by one: which score is a task's primary score, the sign of
// forgetting, which base score matches, a run's summary and trade-off, the Pareto front, seeds
// and the comparability findings. The window, slimctl and the recorder only format these.
#include "scores/comparability.h"
#include "scores/results_table.h"
#include "scores/seed_groups.h"

#include <QtTest>
#include <nlohmann/json.hpp>

#include <algorithm>

#include <cmath>
#include <sstream>

using namespace slim;
using namespace slim::scores;
using store::EvalRow;
using store::TaskKind;

namespace {

constexpr auto LL = ScoringMode::LogLikelihood;
constexpr auto Labels = ScoringMode::LabelLogits;

EvalRow row(const std::string &task, TaskKind kind, const std::string &metric, ScoringMode mode,
            double value, bool isFinal = true, std::int64_t step = 100)
{
    EvalRow e;
    e.step = step;
    e.task = task;
    e.kind = kind;
    e.metric = metric;
    e.mode = mode;
    e.value = value;
    e.stderr_ = 0.01;
    e.n = isFinal ? 200 : 64;
    e.split = isFinal ? "test" : "probe64-2";
    e.templateHash = "tpl";
    e.taskVersion = "1";
    e.isFinal = isFinal;
    return e;
}

store::BaseScoreRow baseOf(const EvalRow &e, double value)
{
    store::BaseScoreRow b;
    b.key = {"model", e.task, e.split, e.metric, e.mode, e.templateHash, e.shots, e.taskVersion};
    b.value = value;
    return b;
}

bool near(std::optional<double> a, double b)
{
    return a && std::abs(*a - b) < 1e-12;
}

// Every kind of task the engine scores: a choice task in both modes, a label-only choice task,
// an exact-match task and a plain-text task, general and downstream.
RunScores everyKind()
{
    RunScores s;
    auto capitals = row("capitals", TaskKind::General, "acc", LL, 0.60);
    auto capitalsNorm = row("capitals", TaskKind::General, "acc_norm", LL, 0.10);
    auto capitalsLabels = row("capitals", TaskKind::General, "acc", Labels, 0.20);
    auto continents = row("continents", TaskKind::General, "acc", Labels, 0.50);
    auto recall = row("recall", TaskKind::General, "exact_match", ScoringMode::ExactMatch, 0.40);
    auto brown = row("brown", TaskKind::General, "bits_per_byte", ScoringMode::BitsPerByte, 3.0);
    auto names = row("name_gender", TaskKind::Downstream, "acc", LL, 0.80);
    auto reversal = row("reversal", TaskKind::Downstream, "exact_match", ScoringMode::ExactMatch,
                        0.30);
    auto reversalChars = row("reversal", TaskKind::Downstream, "char_accuracy",
                             ScoringMode::ExactMatch, 0.55); // partial credit: never averaged
    s.evals = {capitals, capitalsNorm, capitalsLabels, continents, recall,
               brown,    names,        reversal,       reversalChars};
    s.baseScores = {baseOf(capitals, 0.90), baseOf(capitalsNorm, 0.95),
                    baseOf(capitalsLabels, 0.40), baseOf(continents, 0.70),
                    baseOf(recall, 0.50), baseOf(brown, 2.5)};
    return s;
}

} // namespace

class TestScores : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void primaryScoreIsAccOfLogLikelihoodElseLabels()
    {
        QVERIFY(isPrimaryScore("acc", LL, {LL, Labels}));
        QVERIFY(!isPrimaryScore("acc", Labels, {LL, Labels}));
        QVERIFY(isPrimaryScore("acc", Labels, {Labels}));
        QVERIFY(!isPrimaryScore("acc_norm", LL, {LL}));
        QVERIFY(isPrimaryScore("exact_match", ScoringMode::ExactMatch, {ScoringMode::ExactMatch}));
        QVERIFY(isPrimaryScore("bits_per_byte", ScoringMode::BitsPerByte,
                               {ScoringMode::BitsPerByte}));

        const auto tasks = primaryScores(everyKind());
        QCOMPARE(tasks.size(), size_t(6)); // one series per task
        // General tasks first, then by name.
        QCOMPARE(tasks[0].task, std::string("brown"));
        QCOMPARE(tasks[4].task, std::string("name_gender"));
        const auto &capitals = tasks[1];
        QCOMPARE(capitals.mode, LL);
        QCOMPARE(capitals.points.size(), size_t(1));
        QVERIFY(near(capitals.points[0].base, 0.90));
        QCOMPARE(tasks[2].mode, Labels); // continents ran only in label mode
        QVERIFY(!isPrimaryScore("char_accuracy", ScoringMode::ExactMatch, {ScoringMode::ExactMatch}));
        const auto partial = partialCreditScores(everyKind());
        QCOMPARE(partial.size(), size_t(1));
        QCOMPARE(partial[0].task, std::string("reversal"));
        QCOMPARE(partial[0].metric, std::string("char_accuracy"));
        QCOMPARE(partial[0].points.at(0).value, 0.55);
        QVERIFY(!tasks[0].higherIsBetter);
    }

    void forgettingIsPositiveWhenTheModelGotWorse()
    {
        QVERIFY(std::abs(forgetting("acc", 0.60, 0.45) - 0.15) < 1e-12);
        QVERIFY(std::abs(forgetting("acc", 0.45, 0.60) + 0.15) < 1e-12);
        QVERIFY(std::abs(forgetting("exact_match", 0.5, 0.25) - 0.25) < 1e-12);
        // Bits per byte: lower is better, so a rise is forgetting.
        QVERIFY(std::abs(forgetting("bits_per_byte", 1.25, 1.5) - 0.25) < 1e-12);
        QVERIFY(std::abs(forgetting("bits_per_byte", 1.5, 1.25) + 0.25) < 1e-12);

        const auto tasks = primaryScores(everyKind());
        QVERIFY(near(tasks[0].points[0].forgetting, 0.5));  // brown: 3.0 - 2.5 bits
        QVERIFY(near(tasks[1].points[0].forgetting, 0.30)); // capitals: 0.9 - 0.6
        QVERIFY(!tasks[4].points[0].forgetting);            // downstream: no forgetting
    }

    void baseScoreMatchesOnlyTheSameItemsModeAndTemplate()
    {
        const auto e = row("capitals", TaskKind::General, "acc", LL, 0.6);
        auto b = baseOf(e, 0.9);
        QVERIFY(baseScoreOf(e, {b}));
        for (int i = 0; i < 5; ++i) {
            auto other = b;
            if (i == 0)
                other.key.templateHash = "other";
            if (i == 1)
                other.key.mode = Labels;
            if (i == 2)
                other.key.shots = 5;
            if (i == 3)
                other.key.taskVersion = "2";
            if (i == 4)
                other.key.split = "probe64-2";
            QVERIFY2(!baseScoreOf(e, {other}), qPrintable(QString::number(i)));
        }
    }

    void summaryAveragesFractionsAndNeverBits()
    {
        const auto s = summarise(everyKind());
        // General fractions: capitals 0.6 (LL), continents 0.5 (labels), recall 0.4.
        QVERIFY(near(s.general, 0.5));
        QCOMPARE(s.generalTasks, 3);
        // Forgetting over the same three: (0.3 + 0.2 + 0.1) / 3; brown's bits stay out.
        QVERIFY(near(s.forgetting, 0.2));
        QCOMPARE(s.forgettingTasks, 3);
        QVERIFY(near(s.downstream, 0.55)); // (0.8 + 0.3) / 2
        QVERIFY(!summarise({}).general);

        // A general task without a base score counts in the general average, not in forgetting.
        auto noBase = everyKind();
        noBase.baseScores.clear();
        const auto t = summarise(noBase);
        QVERIFY(near(t.general, 0.5));
        QVERIFY(!t.forgetting);
    }

    void summaryUsesTheLatestFinalEvaluation()
    {
        RunScores s;
        s.evals = {row("names", TaskKind::Downstream, "acc", LL, 0.4, false, 50),
                   row("names", TaskKind::Downstream, "acc", LL, 0.6, true, 100),
                   row("names", TaskKind::Downstream, "acc", LL, 0.7, true, 200)};
        QVERIFY(near(summarise(s).downstream, 0.7));
        const auto points = tradeoff(s);
        QCOMPARE(points.size(), size_t(3));
        QVERIFY(!points[0].isFinal && near(points[0].downstream, 0.4));
        QVERIFY(points[2].isFinal && points[2].step == 200);
    }

    void tradeoffHasOnePointPerEvaluation()
    {
        auto s = everyKind();
        auto probe = row("capitals", TaskKind::General, "acc", LL, 0.8, false, 50);
        s.evals.push_back(probe);
        s.baseScores.push_back(baseOf(probe, 0.85));
        s.evals.push_back(row("name_gender", TaskKind::Downstream, "acc", LL, 0.6, false, 50));
        const auto points = tradeoff(s);
        QCOMPARE(points.size(), size_t(2));
        QVERIFY(!points[0].isFinal && points[0].step == 50);
        QVERIFY(near(points[0].downstream, 0.6));
        QVERIFY(near(points[0].forgetting, 0.05));
        // The final point is the summary.
        const auto final = summarise(s);
        QCOMPARE(points[1].downstream, final.downstream);
        QCOMPARE(points[1].forgetting, final.forgetting);
    }

    void paretoFrontKeepsTheUndominated()
    {
        std::vector<TradeoffPoint> points(5);
        const double values[5][2] = {{0.6, 0.10}, {0.8, 0.20}, {0.5, 0.30}, {0.7, 0.25}, {0, 0}};
        for (int i = 0; i < 4; ++i) {
            points[i].downstream = values[i][0];
            points[i].forgetting = values[i][1];
        }
        points[4].downstream = 0.9; // no forgetting: never on the front
        QCOMPARE(paretoFront(points), (std::vector<std::size_t>{0, 1}));
    }

    void seedsOfOneConfigurationAggregate()
    {
        const auto spread = spreadOf({0.5, 0.7, 0.6});
        QVERIFY(std::abs(spread.mean - 0.6) < 1e-12);
        QVERIFY(std::abs(spread.sd - 0.1) < 1e-12); // sample standard deviation
        QCOMPARE(spread.n, 3);
        QVERIFY(std::isnan(spreadOf({0.5}).sd));

        auto run = [](std::int64_t id, std::int64_t seed, double lr, double down) {
            SeededRun r;
            r.id = id;
            r.method = "slim";
            r.label = "slim s" + std::to_string(seed);
            r.seed = seed;
            r.specJson = nlohmann::json({{"name", r.label}, {"seed", seed}, {"method", "slim"},
                                         {"schedule", {{"lr", lr}}}})
                             .dump();
            r.summary.downstream = down;
            r.finalScores["names"] = down;
            return r;
        };
        const auto groups = groupBySeed({run(1, 1, 1e-4, 0.5), run(2, 2, 1e-4, 0.7),
                                         run(3, 1, 2e-4, 0.9), run(4, 3, 1e-4, 0.6)});
        QCOMPARE(groups.size(), size_t(2)); // the learning rate makes another configuration
        QCOMPARE(groups[0].runIds, (std::vector<std::int64_t>{1, 2, 4}));
        QCOMPARE(groups[0].seeds, (std::vector<std::int64_t>{1, 2, 3}));
        QVERIFY(std::abs(groups[0].downstream.mean - 0.6) < 1e-12);
        QCOMPARE(groups[0].tasks.at("names").n, 3);
        QCOMPARE(groups[1].downstream.n, 1);
        QCOMPARE(groups[0].general.n, 0);
    }

    void resultsTableOverSeeds()
    {
        // Two seeds of SLIM and one LoRA run; the second seed scores 2 points more everywhere.
        auto runOf = [](std::int64_t id, const std::string &method, std::int64_t seed,
                        double shift) {
            TableRun r;
            r.record.id = id;
            r.record.method = method;
            r.record.name = method + " s" + std::to_string(seed);
            r.record.seed = seed;
            r.record.specJson = nlohmann::json({{"method", method}, {"seed", seed},
                                                {"name", r.record.name}})
                                    .dump();
            r.scores = everyKind();
            for (auto &e : r.scores.evals)
                if (e.metric == "acc" || e.metric == "exact_match")
                    e.value += shift;
            return r;
        };
        const auto table = resultsTable(
            {runOf(1, "slim", 1, 0), runOf(2, "slim", 2, 0.02), runOf(3, "lora", 1, -0.1)});
        QCOMPARE(table.rows.size(), size_t(2));
        QCOMPARE(table.rows[0].label, std::string("slim"));
        QCOMPARE(table.rows[0].seeds, (std::vector<std::int64_t>{1, 2}));
        QCOMPARE(table.columns.size(), size_t(7)); // downstream tasks first, then general
        QCOMPARE(table.columns[0].task, std::string("name_gender"));
        QVERIFY(table.columns[2].partialCredit && table.columns[2].task == "reversal");
        QVERIFY(table.columns[3].bitsPerByte && table.columns[3].general);

        // Configurations of one method are told apart by their runs' names, seed removed.
        auto ablation = runOf(4, "slim", 1, 0);
        ablation.record.name = "benchmark slim-no-l1 seed 1";
        ablation.record.specJson = nlohmann::json({{"method", "slim"}, {"seed", 1},
                                                   {"l1_lambda", 0}, {"name", "x"}})
                                       .dump();
        auto first = runOf(1, "slim", 1, 0);
        first.record.name = "slim seed 1 (tuned)"; // not a seed suffix: kept whole
        const auto named = resultsTable({first, runOf(2, "slim", 2, 0.02), ablation});
        QCOMPARE(named.rows.size(), size_t(2));
        QCOMPARE(named.rows[0].label, std::string("slim seed 1 (tuned)"));
        QCOMPARE(named.rows[1].label, std::string("benchmark slim-no-l1"));
        // A sweep's run: its seed axis comes last in its name.
        auto swept = ablation;
        swept.record.name = "grid lr=0.0001 method=slim seed=2";
        QCOMPARE(resultsTable({first, swept}).rows[1].label, std::string("grid lr=0.0001 method=slim"));

        std::ostringstream md;
        writeResultsTable(table, TableFormat::Markdown, md);
        const auto text = md.str();
        for (const char *line :
             {"| method | name_gender | reversal | reversal (chars) | brown (bits/byte) | capitals "
              "| continents | recall | downstream avg | general avg | forgetting |",
              "| base model | - | - | - | 2.500 | 90.0 | 70.0 | 50.0 | - | - | - |",
              "| slim | 81.0 ± 1.4 | 31.0 ± 1.4 | 55.0 ± 0.0 | 3.000 ± 0.000 | 61.0 ± 1.4 | "
              "51.0 ± 1.4 | 41.0 ± 1.4 | 56.0 ± 1.4 | 51.0 ± 1.4 | 19.0 ± 1.4 |",
              "| lora | 70.0 | 20.0 | 55.0 | 3.000 | 50.0 | 40.0 | 30.0 | 45.0 | 40.0 | 30.0 |",
              // every run's own standard error is 0.01 (1 point; 0.010 bits per byte)
              "| per-run standard error | 1.0 | 1.0 | 1.0 | 0.010 | 1.0 | 1.0 | 1.0 | - | - | - |"})
            QVERIFY2(text.find(line) != std::string::npos, (std::string(line) + "\n" + text).c_str());

        std::ostringstream csv;
        writeResultsTable(table, TableFormat::Csv, csv);
        QVERIFY(csv.str().rfind("method,seeds,name_gender,name_gender sd,name_gender n,", 0) == 0);
        QVERIFY2(csv.str().find("\nlora,1,0.7,,1,") != std::string::npos, csv.str().c_str());

        std::ostringstream latex;
        writeResultsTable(table, TableFormat::Latex, latex);
        QVERIFY(latex.str().rfind("\\begin{tabular}{lrrrrrrrrrr}", 0) == 0);
        QVERIFY(latex.str().find("name\\_gender") != std::string::npos);
        QVERIFY(latex.str().find("slim & 81.0 $\\pm$ 1.4 & ") != std::string::npos);
        QCOMPARE(tableFormatFromName("latex"), std::optional<TableFormat>(TableFormat::Latex));
        QVERIFY(!tableFormatFromName("tex"));
    }

    void comparabilityNamesEachDifference()
    {
        auto compared = [](const std::string &label, RunScores s,
                           const std::string &hashes = R"({"base_model":"m1","names":"d1"})") {
            return ComparedScores {label, std::move(s), hashes};
        };
        const auto a = everyKind();
        QVERIFY(comparabilityFindings({compared("A", a), compared("B", a)}).empty());

        auto kindsOf = [](const std::vector<Finding> &findings) {
            std::vector<FindingKind> kinds;
            for (const auto &f : findings)
                kinds.push_back(f.kind);
            return kinds;
        };
        auto labels = a;
        for (auto &e : labels.evals)
            if (e.task == "capitals" && e.mode == LL)
                e.mode = ScoringMode::ExactMatch; // capitals: only labels remain primary
        auto findings = comparabilityFindings({compared("A", a), compared("B", labels)});
        QCOMPARE(kindsOf(findings), std::vector<FindingKind> {FindingKind::ScoringMode});
        QVERIFY2(findings[0].message.find("different scoring modes") != std::string::npos,
                 findings[0].message.c_str());

        auto other = a;
        for (auto &e : other.evals) {
            if (e.task == "name_gender") {
                e.templateHash = "other";
                e.shots = 5;
                e.n = 100;
                e.taskVersion = "2";
            }
        }
        findings = comparabilityFindings({compared("A", a), compared("B", other)});
        QCOMPARE(kindsOf(findings),
                 (std::vector<FindingKind> {FindingKind::Template, FindingKind::Shots,
                                            FindingKind::ItemCount, FindingKind::TaskVersion}));
        QCOMPARE(findings[1].message,
                 std::string("Task name_gender was scored with different numbers of shots (A: 0 "
                             "shots; B: 5 shots); its scores are not comparable."));

        auto fewer = a;
        fewer.evals.erase(std::remove_if(fewer.evals.begin(), fewer.evals.end(),
                                         [](const EvalRow &e) { return e.task == "brown"; }),
                          fewer.evals.end());
        findings = comparabilityFindings(
            {compared("A", a), compared("B", fewer, R"({"base_model":"m2","names":"d2"})")});
        QCOMPARE(kindsOf(findings),
                 (std::vector<FindingKind> {FindingKind::GeneralSuite, FindingKind::BaseModel,
                                            FindingKind::DataHash}));
        QCOMPARE(findings[1].message, std::string("Runs start from different base models (A: m1; "
                                                  "B: m2); their scores and forgetting are not "
                                                  "comparable."));
        // A run without evaluations is left out.
        QVERIFY(comparabilityFindings({compared("A", a), compared("B", {}, "{}")}).empty());
    }
};

QTEST_GUILESS_MAIN(TestScores)
#include "tst_scores.moc"
