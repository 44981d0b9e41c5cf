// The downstream tasks in their original shapes as training data, worded as LLM-Adapters'
// commonsense_170k: three records rebuilt from items published in that set (BoolQ, PIQA, ARC)
// must give its instruction and answer strings exactly; every task's fixture of
// tests/data/suites trains with the gold its lm-eval reader finds; files of users' data become
// training tasks with their segments; suite entries of a run spec parse or say what is wrong.
#include "data/data_locator.h"
#include "suites/suite_tasks.h"
#include "suites/task_training.h"
#include "suites/training_set.h"
#include "tokenizer/builtin_tokenizer.h"

#include "suite_test_support.h"

#include <QtTest>

using namespace slim;
using namespace slim::suites;
using namespace slim::suites::test;

namespace {

const std::string kDir = std::string(SLIM_TEST_DATA_DIR) + "/suites/";

} // namespace

class TestTaskTraining : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void publishedItemsAreReproduced()
    {
        // The instruction and output strings of three commonsense_170k items, as published.
        const std::vector<std::pair<std::string, std::string>> published {
            {"Please answer the following question with true or false, question: does ethanol "
             "take more energy make that produces?\n\nAnswer format: true/false",
             "the correct answer is false"},
            {"Please choose the correct solution to the question: Make outdoor pillow.\n\n"
             "Solution1: Blow into tin can and tie with rubber band.\n\n"
             "Solution2: Blow into trash bag and tie with rubber band.\n\n"
             "Answer format: solution1/solution2",
             "the correct answer is solution2"},
            {"Please choose the correct answer to the question: An astronomer observes that a "
             "planet rotates faster after a meteorite impact. Which is the most likely effect "
             "of this increase in rotation?\n\nAnswer1: Planetary density will decrease. "
             "Answer2: Planetary years will become longer. Answer3: Planetary days will become "
             "shorter. Answer4: Planetary gravity will become stronger.\n\n"
             "Answer format: answer1/answer2/answer3/answer4",
             "the correct answer is answer3"}};
        const auto records = readRecords(kDir + "train/commonsense_published.jsonl");
        QCOMPARE(records.size(), published.size());
        const std::vector<std::string> tasks {"boolq", "piqa", "arc"};
        for (size_t i = 0; i < records.size(); ++i) {
            QCOMPARE(trainingTaskOf(records[i]), tasks[i]);
            const auto c = trainingTaskConversation(tasks[i], records[i]);
            QCOMPARE(c.messages[0].content, published[i].first);
            QCOMPARE(c.messages[1].content, published[i].second);
            QCOMPARE(c.line, int(i + 1));
        }
    }

    void everyTaskShapeTrains_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("task");
        QTest::addColumn<QString>("firstAnswer");
        QTest::newRow("boolq") << "boolq.jsonl" << "boolq" << "the correct answer is true";
        QTest::newRow("piqa") << "piqa.jsonl" << "piqa" << "the correct answer is solution1";
        QTest::newRow("siqa") << "siqa.jsonl" << "siqa" << "the correct answer is answer2";
        QTest::newRow("hellaswag") << "hellaswag.jsonl" << "hellaswag"
                                   << "the correct answer is ending4";
        QTest::newRow("winogrande") << "winogrande.jsonl" << "winogrande"
                                    << "the correct answer is option1";
        QTest::newRow("arc") << "arc_easy.jsonl" << "arc" << "the correct answer is answer2";
        QTest::newRow("openbookqa") << "openbookqa.jsonl" << "openbookqa"
                                    << "the correct answer is answer4";
        QTest::newRow("gsm8k") << "gsm8k.jsonl" << "gsm8k" << "";
    }

    void everyTaskShapeTrains()
    {
        QFETCH(QString, file);
        QFETCH(QString, task);
        QFETCH(QString, firstAnswer);
        const auto data = readInstructionData(kDir + file.toStdString());
        QCOMPARE(int(data.shape), int(InstructionShape::Task));
        QCOMPARE(QString::fromStdString(data.task), task);
        QVERIFY(!data.conversations.empty());
        for (const auto &c : data.conversations) {
            QCOMPARE(c.messages.size(), size_t(2));
            QCOMPARE(c.messages[0].role, std::string("user"));
            QCOMPARE(c.messages[1].role, std::string("assistant"));
            if (task != "gsm8k")
                QVERIFY(c.messages[1].content.starts_with("the correct answer is "));
        }
        if (!firstAnswer.isEmpty())
            QCOMPARE(QString::fromStdString(data.conversations[0].messages[1].content),
                     firstAnswer);
    }

    void badRecordsAreNamed()
    {
        QTemporaryDir dir;
        auto path = writeFile(dir, "piqa.jsonl",
                              "{\"goal\": \"g\", \"sol1\": \"a\", \"sol2\": \"b\", \"label\": 0}\n"
                              "{\"goal\": \"g\", \"sol1\": \"a\", \"sol2\": \"b\", \"label\": 2}\n");
        auto error = errorOf([&] { readInstructionData(path); });
        QVERIFY2(error.contains("piqa.jsonl:2: field 'label' is 2, not in [0, 1]"),
                 qPrintable(error));
        path = writeFile(dir, "mixed.jsonl",
                         "{\"goal\": \"g\", \"sol1\": \"a\", \"sol2\": \"b\", \"label\": 0}\n"
                         "{\"instruction\": \"i\", \"output\": \"o\"}\n");
        error = errorOf([&] { readInstructionData(path); });
        QVERIFY2(error.contains("mixed.jsonl:2: an alpaca record in a piqa file"),
                 qPrintable(error));
        path = writeFile(dir, "odd.jsonl", "{\"query\": \"q\", \"reply\": \"r\"}\n");
        error = errorOf([&] { readInstructionData(path); });
        QVERIFY2(error.contains("odd.jsonl:1: a record of unknown shape (fields: query, reply)")
                     && error.contains("alpaca (instruction, input, output)")
                     && error.contains("winogrande (sentence, option1, option2, answer)"),
                 qPrintable(error));
    }

    void trainingSetsCarryTheirSegments()
    {
        const auto tokenizer = tok::builtinTokenizer(); // no chat template: auto is alpaca
        auto task = trainingSetTask(kDir + "piqa.jsonl", "auto", tokenizer, true);
        QCOMPARE(task.name, std::string("piqa.jsonl"));
        QCOMPARE(task.prompt_template, std::string("alpaca"));
        QCOMPARE(task.train.size(), size_t(2));
        const auto &segments = task.train[0].segments;
        QCOMPARE(segments.size(), size_t(2));
        QVERIFY(segments[0].text.ends_with("Answer format: solution1/solution2\n\n### Response:"));
        QVERIFY(!segments[0].trained);
        QCOMPARE(segments[1].text, std::string("the correct answer is solution1"));
        QVERIFY(segments[1].trained);
        QVERIFY(!task.train[0].own_special_tokens);
        QCOMPARE(task.sha256.size(), size_t(64));
        // Completion data is plain under auto; all tokens train when asked.
        auto completion = trainingSetTask(kDir + "instruct/completion.jsonl", "auto", tokenizer,
                                          false);
        QCOMPARE(completion.prompt_template, std::string("plain"));
        QVERIFY(completion.train[0].segments[0].trained);
        QVERIFY(errorOf([&] { trainingSetTask(kDir + "piqa.jsonl", "fancy", tokenizer, true); })
                    .contains("data.prompt_format: 'fancy'"));
        QVERIFY(errorOf([&] { trainingSetTask(kDir + "piqa.jsonl", "chat", tokenizer, true); })
                    .contains("data.prompt_format: chat, but the model's tokenizer has no chat "
                              "template"));
        QVERIFY(isDatasetPath("data/boolq") && isDatasetPath("boolq.jsonl.gz")
                && isDatasetPath("x.csv") && !isDatasetPath("name_gender"));
    }

    void suitesCarryThePapersLabelView()
    {
        // Label-token mode shows the question alone and the choices' texts (no shots); BoolQ
        // without its passage, its answers false/true in gold order.
        auto boolq = suiteTasks({"boolq", kDir + "boolq.jsonl", "", std::nullopt, 0}).front();
        const auto &b = boolq.choiceTest.front();
        QCOMPARE(b.label_context,
                 std::string("Please answer the following question with true or false: is the "
                             "sun a star?"));
        QCOMPARE(b.label_choices, (std::vector<std::string> {"false", "true"}));
        QCOMPARE(b.gold, int64_t(1));
        auto mmlu = suiteTasks({"mmlu", kDir + "mmlu.jsonl", kDir + "mmlu_dev.jsonl", 1, 0});
        const auto &m = mmlu.front().choiceTest.front();
        QCOMPARE(m.label_context, std::string("What is the basic unit of life?"));
        QCOMPARE(m.label_choices, (std::vector<std::string> {"atom", "cell", "tissue", "organ"}));
        QVERIFY(m.context.starts_with("The following are multiple choice questions"));
        auto arc = suiteTasks({"arc_easy", kDir + "arc_easy.jsonl", "", std::nullopt, 0});
        QCOMPARE(arc.front().choiceTest.front().label_context,
                 std::string("Which tool is best for measuring the mass of a rock?"));
        // WinoGrande is scored by partial evaluation only: no label view.
        auto wino = suiteTasks({"winogrande", kDir + "winogrande.jsonl", "", std::nullopt, 0});
        QVERIFY(wino.front().choiceTest.front().label_context.empty());
    }

    void suiteEntriesParse()
    {
        auto spec = parseSuiteEntry("mmlu=test.jsonl;fewshot=dev.jsonl;shots=5;limit=40");
        QCOMPARE(spec.task, std::string("mmlu"));
        QCOMPARE(spec.data, std::string("test.jsonl"));
        QCOMPARE(spec.fewshot_data, std::string("dev.jsonl"));
        QCOMPARE(*spec.shots, int64_t(5));
        QCOMPARE(spec.limit, int64_t(40));
        spec = parseSuiteEntry("boolq=/data/boolq/validation.jsonl");
        QVERIFY(!spec.shots && spec.limit == 0 && spec.fewshot_data.empty());
        QVERIFY(errorOf([] { parseSuiteEntry("boolq"); }).contains("is not TASK=FILE"));
        QVERIFY(errorOf([] { parseSuiteEntry("nope=x.jsonl"); }).contains("arc_easy"));
        QVERIFY(errorOf([] { parseSuiteEntry("boolq=x.jsonl;shots=two"); })
                    .contains("shots must be an integer >= 0, not 'two'"));
        QVERIFY(errorOf([] { parseSuiteEntry("boolq=x.jsonl;limit=0"); }).contains("limit"));
        QVERIFY(errorOf([] { parseSuiteEntry("boolq=x.jsonl;seed=3"); })
                    .contains("unknown option 'seed=3'"));
    }
};

QTEST_GUILESS_MAIN(TestTaskTraining)
#include "tst_task_training.moc"
