// slimctl eval on lm-evaluation-harness suites equals an independent computation: a tiny random
// checkpoint (tests/reference/hf_reference.py), the requests slimctl prompts prints, scored by
// tests/reference/lm_eval_reference.py (lm-eval's scoring rules over hf_reference's forward
// pass in Python). acc, acc_norm and their standard errors agree to 1e-9; winogrande's partial
// evaluation and hellaswag's preprocessed endings included; GSM8K's greedy generations until
// its stop strings equal a Python generation loop. Also: a bad record stops the evaluation
// before the model is loaded, naming file, line and field.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <fstream>

namespace {

const QString kReference = QStringLiteral(SLIM_TEST_DATA_DIR "/../reference/");
const QString kSuites = QStringLiteral(SLIM_TEST_DATA_DIR "/suites/");

QByteArray run(const QString &program, const QStringList &args, int expectedExit = 0)
{
    QProcess p;
    p.start(program, args);
    if (!p.waitForFinished(300000))
        qFatal("%s timed out", qPrintable(program));
    const auto err = p.readAllStandardError();
    if (p.exitCode() != expectedExit)
        qFatal("%s %s: exit %d: %s", qPrintable(program), qPrintable(args.join(' ')), p.exitCode(),
               err.constData());
    return expectedExit == 0 ? p.readAllStandardOutput() : err;
}

} // namespace

class TestSuiteScoring : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_model;

private Q_SLOTS:
    void initTestCase()
    {
        m_model = m_dir.path() + "/model";
        // Larger weights than a real initialisation, so the choices' likelihoods differ clearly.
        run("/usr/bin/python3",
            {kReference + "hf_reference.py", "make-checkpoint", "--out", m_model, "--arch", "llama",
             "--max-pos", "512", "--init-std", "0.3", "--seed", "7"});
    }

    void scoresEqualTheReference_data()
    {
        QTest::addColumn<QString>("task");
        QTest::addColumn<bool>("accNorm"); // lm-eval reports acc_norm for the task
        QTest::newRow("arc_easy") << "arc_easy" << true;
        QTest::newRow("hellaswag") << "hellaswag" << true;
        QTest::newRow("winogrande") << "winogrande" << false;
        QTest::newRow("piqa") << "piqa" << true;
        QTest::newRow("commonsense_qa") << "commonsense_qa" << false;
    }
    void scoresEqualTheReference()
    {
        QFETCH(QString, task);
        QFETCH(bool, accNorm);
        const auto data = kSuites + task + ".jsonl";
        const auto promptsFile = m_dir.path() + "/" + task + ".prompts.jsonl";
        std::ofstream(promptsFile.toStdString())
            << run(SLIMCTL_PATH, {"prompts", "--task", task, "--data", data}).toStdString();
        const auto expected = nlohmann::json::parse(
            run("/usr/bin/python3", {kReference + "lm_eval_reference.py", m_model, promptsFile})
                .toStdString());
        const auto got
            = nlohmann::json::parse(run(SLIMCTL_PATH,
                                        {"eval", "--model", m_model, "--suite", task, "--data",
                                         data, "--mode", "loglikelihood", "--json", "--quiet"})
                                        .toStdString());
        std::map<std::string, std::pair<double, double>> scores;
        for (const auto &row : got)
            scores[row.at("metric").get<std::string>()]
                = {row.at("value").get<double>(), row.at("stderr").get<double>()};
        QCOMPARE(scores.size(), accNorm ? size_t(2) : size_t(1));
        for (const auto &[metric, pair] : expected.items()) {
            if (metric == "acc_norm" && !accNorm)
                continue;
            QVERIFY2(scores.count(metric), metric.c_str());
            QVERIFY(std::abs(scores[metric].first - pair[0].get<double>()) < 1e-9);
            QVERIFY(std::abs(scores[metric].second - pair[1].get<double>()) < 1e-9);
        }
    }

    void gsm8kGenerationsEqualTheReference()
    {
        // Greedy generation until lm-eval's stop strings, with the engine's batched KV cache,
        // against a step-by-step Python loop over full forward passes. The head is ASCII-only,
        // so the texts are readable and compared byte for byte (the full 256 new tokens).
        const auto model = m_dir.path() + "/ascii-model";
        run("/usr/bin/python3",
            {kReference + "hf_reference.py", "make-checkpoint", "--out", model, "--arch", "llama",
             "--max-pos", "512", "--init-std", "0.3", "--seed", "11", "--ascii-head"});
        const auto data = kSuites + "gsm8k.jsonl";
        const auto promptsFile = m_dir.path() + "/gsm8k.prompts.jsonl";
        std::ofstream(promptsFile.toStdString())
            << run(SLIMCTL_PATH, {"prompts", "--task", "gsm8k", "--data", data, "--shots", "0",
                                  "--limit", "2"})
                   .toStdString();
        const auto expected = QString::fromUtf8(
            run("/usr/bin/python3", {kReference + "lm_eval_reference.py", model, promptsFile,
                                     "--generate", "256", "Question:", "</s>", "<|im_end|>"}))
                                  .split('\n', Qt::SkipEmptyParts);
        const auto samplesFile = m_dir.path() + "/gsm8k.samples.jsonl";
        run(SLIMCTL_PATH, {"eval", "--model", model, "--suite", "gsm8k", "--data", data, "--shots",
                           "0", "--limit", "2", "--samples", samplesFile, "--quiet"});
        std::ifstream samples(samplesFile.toStdString());
        std::vector<nlohmann::json> got;
        for (std::string line; std::getline(samples, line);)
            got.push_back(nlohmann::json::parse(line));
        QCOMPARE(got.size(), size_t(2));
        QCOMPARE(qsizetype(got.size()), expected.size());
        for (size_t i = 0; i < got.size(); ++i) {
            const auto reference = nlohmann::json::parse(expected[qsizetype(i)].toStdString());
            QCOMPARE(got[i]["doc_id"].get<int>(), int(i));
            QCOMPARE(QString::fromStdString(got[i]["prediction"].get<std::string>()),
                     QString::fromStdString(reference["generation"].get<std::string>()));
            QVERIFY(got[i]["scores"].contains("exact_match,strict-match"));
        }
    }

    void aBadRecordStopsBeforeTheModelLoads()
    {
        const auto bad = m_dir.path() + "/piqa.jsonl";
        std::ofstream(bad.toStdString()) << R"({"goal": "g", "sol1": "a", "sol2": "b", "label": 0})"
                                         << "\n"
                                         << R"({"goal": "g", "sol1": "a", "sol2": "b", "label": 2})"
                                         << "\n";
        const auto err = run(
            SLIMCTL_PATH,
            {"eval", "--model", m_dir.path() + "/no-such-model", "--suite", "piqa", "--data", bad},
            1);
        QVERIFY2(err.contains("piqa.jsonl:2: field 'label' is 2, not in [0, 1]"), err.constData());
    }
};

QTEST_APPLESS_MAIN(TestSuiteScoring)
#include "tst_suite_scoring.moc"
