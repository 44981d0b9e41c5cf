// lm-evaluation-harness's requests, built from records in the datasets' original fields: every
// task's context, continuations (target delimiter included), gold index and few-shot context
// equal the strings lm-eval builds (tests/data/suites/<case>.expected.jsonl, written from its
// task definitions: docs/lm-eval-tasks.md); random shots equal lm-eval's sampler run by CPython.
#include "data/data_locator.h"
#include "suites/harness_tasks.h"

#include <QProcess>
#include <QTemporaryDir>
#include "suite_test_support.h"

#include <QtTest>

#include <fstream>

using namespace slim;
using namespace slim::suites;
using namespace slim::suites::test;

namespace {

const std::string kDir = std::string(SLIM_TEST_DATA_DIR) + "/suites/";

std::vector<nlohmann::json> jsonLinesOf(const std::string &path)
{
    std::vector<nlohmann::json> out;
    for (const auto &record : readRecords(path))
        out.push_back(record.fields);
    return out;
}

std::vector<nlohmann::json> prompts(const std::string &task, const std::string &dataCase,
                                    std::optional<int64_t> shots = 0,
                                    const std::string &fewshotCase = {})
{
    PromptOptions options;
    options.shots = shots;
    const auto pool
        = fewshotCase.empty() ? std::vector<Record>() : readRecords(kDir + fewshotCase + ".jsonl");
    std::vector<nlohmann::json> out;
    for (const auto &request :
         buildRequests(harnessTask(task), readRecords(kDir + dataCase + ".jsonl"), pool, options))
        out.push_back(promptJson(request));
    return out;
}

} // namespace

class TestHarnessPrompts : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void zeroShotRequestsAreLmEvals_data()
    {
        QTest::addColumn<QString>("task");
        QTest::addColumn<QString>("dataCase");
        for (const char *task :
             {"arc_easy", "boolq", "piqa", "siqa", "hellaswag", "winogrande", "openbookqa",
              "commonsense_qa", "mmlu", "gsm8k", "gsm8k_cot", "gsm8k_cot_zeroshot"})
            QTest::newRow(task) << task << task;
        QTest::newRow("arc_challenge") << "arc_challenge"
                                       << "arc_easy"; // the same template
        QTest::newRow("social_iqa") << "social_iqa"
                                    << "siqa"; // lm-eval's own name
    }
    void zeroShotRequestsAreLmEvals()
    {
        QFETCH(QString, task);
        QFETCH(QString, dataCase);
        const auto got = prompts(task.toStdString(), dataCase.toStdString());
        const auto expected = jsonLinesOf(kDir + dataCase.toStdString() + ".expected.jsonl");
        QCOMPARE(got.size(), expected.size());
        for (size_t i = 0; i < got.size(); ++i)
            QCOMPARE(QString::fromStdString(got[i].dump()),
                     QString::fromStdString(expected[i].dump()));
    }

    void fixedAndFirstNShotsAreLmEvals()
    {
        // gsm8k_cot's eight exemplars by default; mmlu's first n dev records of the subject.
        QCOMPARE(prompts("gsm8k_cot", "gsm8k_cot.8shot", std::nullopt),
                 jsonLinesOf(kDir + "gsm8k_cot.8shot.expected.jsonl"));
        QCOMPARE(prompts("mmlu", "mmlu.2shot", 2, "mmlu_dev"),
                 jsonLinesOf(kDir + "mmlu.2shot.expected.jsonl"));
        const auto error = errorOf([] { prompts("mmlu", "mmlu.2shot", 3, "mmlu_dev"); });
        QVERIFY2(error.contains("has 2 records of 'high_school_biology'"), qPrintable(error));
    }

    // boolq (n + 1 draws, the document itself removed) and arc_easy (n draws) against lm-eval's
    // ContextSampler run by CPython with random.Random(1234), consumed document by document.
    void randomShotsAreLmEvalsSampler()
    {
        QTemporaryDir dir;
        nlohmann::json pool = nlohmann::json::array();
        std::string poolText, testText;
        for (int i = 0; i < 40; ++i) {
            nlohmann::json record = {{"question", "is it true number " + std::to_string(i)},
                                     {"passage", "Passage " + std::to_string(i) + "."},
                                     {"idx", i},
                                     {"label", i % 3 == 0 ? 1 : 0}};
            pool.push_back(record);
            poolText += record.dump() + "\n";
            if (i % 7 == 2)
                testText += record.dump() + "\n"; // in the pool: lm-eval drops it from its shots
        }
        testText += nlohmann::json(
                        {{"question", "is it new"}, {"passage", "New."}, {"idx", 99}, {"label", 1}})
                        .dump()
            + "\n";
        const auto poolPath = writeFile(dir, "train.jsonl", poolText);
        const auto testPath = writeFile(dir, "validation.jsonl", testText);
        const auto script = QString::fromStdString(
            "import json, random\n"
            "pool = [json.loads(l) for l in open('"
            + poolPath
            + "')]\n"
              "docs = [json.loads(l) for l in open('"
            + testPath
            + "')]\n"
              "rnd = random.Random(1234)\n"
              "text = lambda d: d['passage'] + '\\nQuestion: ' + d['question'] + '?\\nAnswer:'\n"
              "for d in docs:\n"
              "    shots = [x for x in rnd.sample(pool, 3 + 1) if x != d][:3]\n"
              "    ctx = ''.join(text(s) + ' ' + ['no', 'yes'][s['label']] + '\\n\\n' for s in "
              "shots)\n"
              "    print(json.dumps({'context': ctx + text(d), 'continuations': [' no', ' yes'],"
              " 'gold': d['label']}))\n");
        QProcess p;
        p.start("/usr/bin/python3", {"-c", script});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 0);
        std::vector<nlohmann::json> expected;
        for (const auto &line : p.readAllStandardOutput().split('\n'))
            if (!line.isEmpty())
                expected.push_back(nlohmann::json::parse(line.toStdString()));

        PromptOptions options;
        options.shots = 3;
        std::vector<nlohmann::json> got;
        for (const auto &r : buildRequests(harnessTask("boolq"), readRecords(testPath),
                                           readRecords(poolPath), options))
            got.push_back(promptJson(r));
        QCOMPARE(got.size(), expected.size());
        for (size_t i = 0; i < got.size(); ++i)
            QCOMPARE(QString::fromStdString(got[i].dump()),
                     QString::fromStdString(expected[i].dump()));

        options.limit = 2; // the first two records, with the same shots as without a limit
        const auto limited = buildRequests(harnessTask("boolq"), readRecords(testPath),
                                           readRecords(poolPath), options);
        QCOMPARE(limited.size(), size_t(2));
        QCOMPARE(promptJson(limited[1]), got[1]);
    }

    void boolqReadsBothPublishedShapes()
    {
        // google/boolq: a boolean `answer` instead of super_glue's integer `label`.
        QTemporaryDir dir;
        const auto path = writeFile(
            dir, "boolq.jsonl",
            R"({"question": "is the sun a star", "answer": true, "passage": "Sun -- The Sun is the star at the center of the Solar System."})"
            "\n");
        PromptOptions options;
        const auto requests = buildRequests(harnessTask("boolq"), readRecords(path), {}, options);
        QCOMPARE(promptJson(requests[0]), jsonLinesOf(kDir + "boolq.expected.jsonl")[0]);
    }

    void badRecordsNameFileLineAndField()
    {
        QTemporaryDir dir;
        const auto path
            = writeFile(dir, "boolq.jsonl",
                        std::string(16, '\n') // blank lines are skipped but counted
                            + R"({"question": "q", "passage": "p", "answer": "yes"})" + "\n");
        PromptOptions options;
        auto error
            = errorOf([&] { buildRequests(harnessTask("boolq"), readRecords(path), {}, options); });
        QVERIFY2(error.startsWith(QString::fromStdString(path)
                                  + ":17: field 'answer' must be a boolean"),
                 qPrintable(error));

        const auto arc = writeFile(
            dir, "arc.jsonl",
            R"({"question": "q", "choices": {"text": ["a", "b"], "label": ["A", "B"]}, "answerKey": "C"})"
            "\n");
        error = errorOf(
            [&] { buildRequests(harnessTask("arc_easy"), readRecords(arc), {}, options); });
        QVERIFY2(error.endsWith(":1: field 'answerKey' is 'C', not one of A, B"),
                 qPrintable(error));

        const auto piqa = writeFile(dir, "piqa.jsonl",
                                    R"({"goal": "g", "sol1": "a", "label": 0})"
                                    "\n");
        error
            = errorOf([&] { buildRequests(harnessTask("piqa"), readRecords(piqa), {}, options); });
        QVERIFY2(error.endsWith(":1: field 'sol2' is missing"), qPrintable(error));

        const auto wino
            = writeFile(dir, "w.jsonl",
                        R"({"sentence": "no blank", "option1": "a", "option2": "b", "answer": "3"})"
                        "\n");
        error = errorOf(
            [&] { buildRequests(harnessTask("winogrande"), readRecords(wino), {}, options); });
        QVERIFY2(error.endsWith(":1: field 'sentence' has no blank '_'"), qPrintable(error));

        error = errorOf([&] { harnessTask("lambada"); });
        QVERIFY2(error.contains("unknown evaluation task 'lambada'") && error.contains("arc_easy"),
                 qPrintable(error));
        error = errorOf([&] { buildRequests(harnessTask("boolq"), {}, {}, options); });
        QVERIFY2(error.contains("no records"), qPrintable(error));
        options.shots = 5;
        error = errorOf([&] {
            buildRequests(harnessTask("arc_easy"), readRecords(kDir + "arc_easy.jsonl"), {},
                          options);
        });
        QVERIFY2(error.contains("--fewshot-data"), qPrintable(error));
        // lm-eval's gsm8k is 5-shot by default: without a pool it must be asked for 0 shots.
        error = errorOf([&] {
            PromptOptions defaults;
            buildRequests(harnessTask("gsm8k"), readRecords(kDir + "gsm8k.jsonl"), {}, defaults);
        });
        QVERIFY2(error.contains("5 shots need few-shot records"), qPrintable(error));
    }

    void customTasksHoldOneKind()
    {
        QTemporaryDir dir;
        const auto path = writeFile(
            dir, "mine.jsonl",
            R"({"prompt": "2 + 2 =", "choices": ["3", "4"], "answer": "4"})"
            "\n"
            R"({"prompt": "Capital of Peru:", "choices": ["Lima", "Quito"], "answer": 0})"
            "\n");
        PromptOptions options;
        const auto requests = buildRequests(harnessTask("custom"), readRecords(path), {}, options);
        QCOMPARE(
            promptJson(requests[0]),
            nlohmann::json({{"context", "2 + 2 ="}, {"continuations", {" 3", " 4"}}, {"gold", 1}}));
        QCOMPARE(requests[1].gold, int64_t(0));
        const auto mixed = writeFile(dir, "mixed.jsonl",
                                     R"({"prompt": "a", "choices": ["x", "y"], "answer": 0})"
                                     "\n"
                                     R"({"prompt": "b", "target": "c"})"
                                     "\n");
        const auto error = errorOf(
            [&] { buildRequests(harnessTask("custom"), readRecords(mixed), {}, options); });
        QVERIFY2(error.contains(":2: a generation record among choice records"), qPrintable(error));
    }

    // The command's contract: one JSON object a line on stdout and nothing else.
    void slimctlPromptsPrintsOneObjectALine()
    {
        QProcess p;
        p.start(SLIMCTL_PATH,
                {"prompts", "--task", "mmlu", "--data",
                 QString::fromStdString(kDir + "mmlu.2shot.jsonl"), "--shots", "2",
                 "--fewshot-data", QString::fromStdString(kDir + "mmlu_dev.jsonl")});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 0);
        const auto lines = p.readAllStandardOutput().split('\n');
        QCOMPARE(lines.size(), 2); // one line and the final newline
        QCOMPARE(nlohmann::json::parse(lines[0].toStdString()),
                 jsonLinesOf(kDir + "mmlu.2shot.expected.jsonl")[0]);

        p.start(SLIMCTL_PATH, {"prompts", "--task", "boolq", "--data", "/nonexistent/boolq.jsonl"});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 1);
        QVERIFY(p.readAllStandardOutput().isEmpty());
        QVERIFY(p.readAllStandardError().contains("/nonexistent/boolq.jsonl"));
    }
};

QTEST_APPLESS_MAIN(TestHarnessPrompts)
#include "tst_harness_prompts.moc"
