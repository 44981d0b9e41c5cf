// SDS and MDS streams of training examples.

#include "data/task_catalog.h"
#include "data/task_streams.h"

#include <QtTest>

#include <map>
#include <set>

using namespace slim::data;

namespace {

Task syntheticTask(const std::string &name, int count)
{
    Task task;
    task.name = name;
    for (int i = 0; i < count; ++i)
        task.train.push_back({name + " " + std::to_string(i), " a"});
    return task;
}

bool sameExamples(const std::vector<TextExample> &a, const std::vector<TextExample> &b)
{
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i].prompt != b[i].prompt || a[i].answer != b[i].answer)
            return false;
    }
    return true;
}

} // namespace

class TestTaskStreams : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void singleTaskCoversEveryExampleEachEpoch()
    {
        const Task task = syntheticTask("t", 50);
        SingleTaskStream stream(task, 7);
        for (int epoch = 0; epoch < 3; ++epoch) {
            std::set<std::string> seen;
            for (const TextExample &example : stream.take(50))
                seen.insert(example.prompt);
            QCOMPARE(seen.size(), std::size_t(50));
        }
        QCOMPARE(stream.epoch(), std::size_t(2));
    }

    void singleTaskIsSeededAndReshuffles()
    {
        const Task task = syntheticTask("t", 50);
        SingleTaskStream a(task, 7), b(task, 7), c(task, 8);
        const auto first = a.take(100);
        QVERIFY(sameExamples(first, b.take(100)));
        QVERIFY(!sameExamples(first, c.take(100)));
        const std::vector<TextExample> epoch0(first.begin(), first.begin() + 50);
        const std::vector<TextExample> epoch1(first.begin() + 50, first.end());
        QVERIFY(!sameExamples(epoch0, epoch1));
    }

    void mixtureFollowsWeightsAndSeed()
    {
        const std::vector<Task> tasks
            = {syntheticTask("x", 30), syntheticTask("y", 30), syntheticTask("z", 30)};
        MixedTaskStream mixed(tasks, 3, {2.0, 1.0, 1.0});
        std::map<std::string, int> counts;
        for (int i = 0; i < 4000; ++i) {
            const TextExample example = mixed.next();
            QCOMPARE(example.prompt.substr(0, 1), mixed.lastTaskName());
            ++counts[mixed.lastTaskName()];
        }
        QVERIFY2(counts["x"] > 1850 && counts["x"] < 2150,
                 qPrintable(QString::number(counts["x"])));
        QVERIFY(counts["y"] > 850 && counts["z"] > 850);

        MixedTaskStream again(tasks, 3, {2.0, 1.0, 1.0}), other(tasks, 4, {2.0, 1.0, 1.0});
        MixedTaskStream replay(tasks, 3, {2.0, 1.0, 1.0});
        const auto first = replay.take(200);
        QVERIFY(sameExamples(first, again.take(200)));
        QVERIFY(!sameExamples(first, other.take(200)));

        MixedTaskStream onlyZ(tasks, 3, {0.0, 0.0, 1.0});
        for (int i = 0; i < 100; ++i) {
            onlyZ.next();
            QCOMPARE(onlyZ.lastTaskName(), std::string("z"));
        }
    }

    void realDownstreamMixture()
    {
        const DataLocator locator = DataLocator::fromEnvironment();
        std::vector<Task> tasks;
        try {
            for (const std::string &name : downstreamTaskNames())
                tasks.push_back(buildTask(name, locator));
        } catch (const DataError &error) {
            QFAIL(error.what());
        }
        MixedTaskStream mixed(tasks, 1);
        std::map<std::string, int> counts;
        for (int i = 0; i < 4000; ++i) {
            mixed.next();
            ++counts[mixed.lastTaskName()];
        }
        QCOMPARE(counts.size(), downstreamTaskNames().size());
        for (const auto &[name, count] : counts)
            QVERIFY2(count > 850, name.c_str());
    }

    void rejectsBadInput()
    {
        QVERIFY_THROWS_EXCEPTION(DataError, SingleTaskStream(Task(), 1));
        QVERIFY_THROWS_EXCEPTION(DataError, MixedTaskStream({}, 1));
        QVERIFY_THROWS_EXCEPTION(DataError,
                                 MixedTaskStream({syntheticTask("x", 1)}, 1, {1.0, 2.0}));
        QVERIFY_THROWS_EXCEPTION(DataError, MixedTaskStream({syntheticTask("x", 1)}, 1, {0.0}));
    }
};

QTEST_APPLESS_MAIN(TestTaskStreams)
#include "tst_task_streams.moc"
