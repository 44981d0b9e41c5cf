// The real benchmark tasks, built from the vendored and the fetched data (run
// `bash packaging/fetch-data.sh` first): sizes, determinism, balance, distractors, leakage.

#include "data/sources.h"
#include "data/task_catalog.h"

#include <QtTest>

#include <map>
#include <set>

using namespace slim::data;

namespace {

std::string gold(const ChoiceItem &item)
{
    return item.choices.at(std::size_t(item.gold));
}

} // namespace

class TestBenchmarkTasks : public QObject
{
    Q_OBJECT

private:
    std::map<std::string, Task> m_tasks; // default options

    const Task &task(const std::string &name) { return m_tasks.at(name); }

private Q_SLOTS:
    void initTestCase()
    {
        const DataLocator locator = DataLocator::fromEnvironment();
        for (const std::string &name : taskNames()) {
            try {
                m_tasks[name] = buildTask(name, locator);
            } catch (const DataError &error) {
                QFAIL(error.what());
            }
        }
    }

    void catalogue()
    {
        QCOMPARE(taskNames().size(), std::size_t(7));
        for (const std::string &name : generalTaskNames())
            QVERIFY(task(name).general);
        for (const std::string &name : downstreamTaskNames()) {
            QVERIFY(!task(name).general);
            QCOMPARE(task(name).train.size(), std::size_t(2000));
        }
        for (const auto &[name, t] : m_tasks) {
            QCOMPARE(t.name, name);
            QVERIFY(!t.version.empty());
            QVERIFY(!t.prompt_template.empty());
            QCOMPARE(t.sha256.size(), std::size_t(64));
            QCOMPARE(t.sha256, computeTaskSha256(t));
        }
    }

    void sizes()
    {
        QCOMPARE(task("capitals").choiceTest.size(), std::size_t(247));
        QCOMPARE(task("continents").choiceTest.size(), std::size_t(252));
        QCOMPARE(task("brown_heldout").texts.size(), std::size_t(10));
        std::size_t heldOutBytes = 0;
        for (const std::string &text : task("brown_heldout").texts)
            heldOutBytes += text.size();
        QVERIFY2(heldOutBytes > 50000 && heldOutBytes < 300000,
                 qPrintable(QString::number(heldOutBytes)));
        QCOMPARE(task("name_gender").choiceTest.size(), std::size_t(400));
        QCOMPARE(task("sentiment").choiceTest.size(), std::size_t(400));
        QCOMPARE(task("word_class").choiceTest.size(), std::size_t(400));
        QCOMPARE(task("reversal").generationTest.size(), std::size_t(400));
        QCOMPARE(task("reversal").kind, TaskKind::Generation);
        QCOMPARE(task("brown_heldout").kind, TaskKind::Text);
    }

    void templatesAndExamplesHaveTheAgreedShape()
    {
        const ChoiceItem &france = [&]() -> const ChoiceItem & {
            for (const ChoiceItem &item : task("capitals").choiceTest) {
                if (item.context == "The capital of France is")
                    return item;
            }
            throw std::runtime_error("no France item");
        }();
        QCOMPARE(gold(france), std::string("Paris"));
        QCOMPARE(task("capitals").target_delimiter, std::string(" "));

        const TextExample &name = task("name_gender").train.front();
        QVERIFY(name.prompt.rfind("Gender of ", 0) == 0);
        QVERIFY(name.prompt.size() > 11 && name.prompt.back() == ':'
                && name.prompt[name.prompt.size() - 2] != ' ');
        QVERIFY(name.answer == " female" || name.answer == " male");

        // Brown's tags: "quickly" is an adverb, "election" a noun, "produced" a verb; "the"
        // (a determiner) and "Atlanta" (a proper noun) have no class.
        std::map<std::string, std::string> classOf;
        for (const ClassifiedWord &word : loadBrownWordClasses(DataLocator::fromEnvironment()))
            classOf[word.word] = wordClassNames().at(std::size_t(word.wordClass));
        QCOMPARE(classOf.at("quickly"), std::string("adverb"));
        QCOMPARE(classOf.at("election"), std::string("noun"));
        QCOMPARE(classOf.at("produced"), std::string("verb"));
        QCOMPARE(classOf.at("recent"), std::string("adjective"));
        QVERIFY(!classOf.count("the") && !classOf.count("atlanta") && !classOf.count("of"));
        QCOMPARE(classOf.size(), std::size_t(15309 + 8032 + 4708 + 1319)); // docs/data.md
        for (const ChoiceItem &item : task("word_class").choiceTest) {
            QVERIFY(item.context.rfind("Word class of ", 0) == 0 && item.context.back() == ':');
            const auto word = item.context.substr(14, item.context.size() - 15);
            QCOMPARE(gold(item), classOf.at(word));
            QCOMPARE(item.choices,
                     (std::vector<std::string>{"noun", "verb", "adjective", "adverb"}));
        }

        const TextExample &review = task("sentiment").train.front();
        QVERIFY(review.prompt.rfind("Review: ", 0) == 0);
        QVERIFY(review.answer == " positive" || review.answer == " negative");

        const GenerationItem &reverse = task("reversal").generationTest.front();
        QVERIFY(reverse.prompt.rfind("Reverse: ", 0) == 0);
        const std::string word = reverse.prompt.substr(9, 4);
        QCOMPARE(reverse.prompt, "Reverse: " + word + " ->");
        std::string reversed(word.rbegin(), word.rend());
        reversed.insert(reversed.begin(), ' ');
        QCOMPARE(reverse.target, reversed);
    }

    void examplesFitTheContext()
    {
        for (const std::string &name : downstreamTaskNames()) {
            for (const TextExample &example : task(name).train)
                QVERIFY(example.prompt.size() + example.answer.size() <= 126);
            for (const ChoiceItem &item : task(name).choiceTest) {
                for (const std::string &choice : item.choices)
                    QVERIFY(item.context.size() + 1 + choice.size() <= 126);
            }
        }
    }

    void determinismAcrossBuilds()
    {
        const DataLocator locator = DataLocator::fromEnvironment();
        for (const std::string &name : taskNames()) {
            const Task again = buildTask(name, locator);
            QCOMPARE(again.sha256, task(name).sha256);
            QCOMPARE(canonicalTaskSerialisation(again), canonicalTaskSerialisation(task(name)));
        }
        // Pinned: items must not depend on the standard library or the process (the prototype
        // lost 1.7 points to hash-ordered distractors). Bump the task version when changing.
        QCOMPARE(task("reversal").sha256,
                 std::string("21a003e1e8aa3e0e2845255fa5534297f44280d486c2c4fc18144537e8cc0f49"));
        QCOMPARE(task("capitals").sha256,
                 std::string("12e96459395c42ee9b62826e8d490ed5ab58c8f6e448821355a53f6d9049461c"));
    }

    void otherSeedGivesOtherItems()
    {
        const DataLocator locator = DataLocator::fromEnvironment();
        TaskOptions options;
        options.seed = kDefaultTaskSeed + 1;
        for (const std::string name :
             {"capitals", "name_gender", "word_class", "sentiment", "reversal"})
            QVERIFY2(buildTask(name, locator, options).sha256 != task(name).sha256, name.c_str());
        // Continents offer every continent in a fixed order and Brown's split is fixed.
        QCOMPARE(buildTask("continents", locator, options).sha256, task("continents").sha256);
    }

    void classesAreBalanced()
    {
        for (const auto &[name, classes] : std::map<std::string, std::size_t>{
                 {"name_gender", 2}, {"sentiment", 2}, {"word_class", 4}}) {
            std::map<std::string, int> trainCounts;
            for (const TextExample &example : task(name).train)
                ++trainCounts[example.answer];
            QCOMPARE(trainCounts.size(), classes);
            for (const auto &[answer, count] : trainCounts)
                QCOMPARE(std::size_t(count), task(name).train.size() / classes);
            std::map<int64_t, std::size_t> golds;
            for (const ChoiceItem &item : task(name).choiceTest) {
                QCOMPARE(item.choices.size(), classes);
                ++golds[item.gold];
            }
            QCOMPARE(golds.size(), classes);
            for (const auto &[label, count] : golds)
                QCOMPARE(count, task(name).choiceTest.size() / classes);
        }
    }

    void distractorsAreDistinctAndNeverGold()
    {
        std::map<int64_t, int> goldPositions;
        for (const ChoiceItem &item : task("capitals").choiceTest) {
            QCOMPARE(item.choices.size(), std::size_t(4));
            QVERIFY(item.gold >= 0 && item.gold < 4);
            const std::set<std::string> distinct(item.choices.begin(), item.choices.end());
            QCOMPARE(distinct.size(), std::size_t(4)); // hence no distractor equals the gold
            for (const std::string &choice : item.choices)
                QVERIFY(!choice.empty());
            ++goldPositions[item.gold];
        }
        // The gold is not always in the same place.
        QCOMPARE(goldPositions.size(), std::size_t(4));
        for (const auto &[position, count] : goldPositions)
            QVERIFY2(count > 35, qPrintable(QString::number(count)));

        for (const ChoiceItem &item : task("continents").choiceTest) {
            QCOMPARE(item.choices.size(), std::size_t(7));
            const std::set<std::string> distinct(item.choices.begin(), item.choices.end());
            QCOMPARE(distinct.size(), std::size_t(7));
            QVERIFY(std::is_sorted(item.choices.begin(), item.choices.end()));
        }
    }

    void sentimentTestReviewsAreWhole()
    {
        // Long reviews are cut for training only; a test item shows the whole review.
        std::set<std::string> reviews;
        for (const LabelledSentence &sentence :
             loadPolaritySentences(DataLocator::fromEnvironment()))
            reviews.insert(sentence.text);
        for (const ChoiceItem &item : task("sentiment").choiceTest) {
            const std::string review = item.context.substr(8, item.context.size() - 19);
            QVERIFY2(reviews.count(review), review.c_str());
        }
    }

    void testItemsNeverInTrainSplit()
    {
        for (const std::string &name : downstreamTaskNames()) {
            std::set<std::string> trainPrompts;
            for (const TextExample &example : task(name).train)
                trainPrompts.insert(example.prompt);
            QCOMPARE(trainPrompts.size(), task(name).train.size()); // no duplicates either
            std::set<std::string> testPrompts;
            for (const ChoiceItem &item : task(name).choiceTest)
                testPrompts.insert(item.context);
            for (const GenerationItem &item : task(name).generationTest)
                testPrompts.insert(item.prompt);
            QCOMPARE(testPrompts.size(), std::size_t(400));
            for (const std::string &prompt : testPrompts)
                QVERIFY2(!trainPrompts.count(prompt), prompt.c_str());
        }
        // A name's gender is fixed: no name appears with both answers anywhere.
        std::map<std::string, std::set<std::string>> answers;
        for (const TextExample &example : task("name_gender").train)
            answers[example.prompt].insert(example.answer);
        for (const auto &[prompt, set] : answers)
            QCOMPARE(set.size(), std::size_t(1));
    }
};

QTEST_APPLESS_MAIN(TestBenchmarkTasks)
#include "tst_benchmark_tasks.moc"
