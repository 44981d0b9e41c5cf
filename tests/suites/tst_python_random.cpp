// PythonRandom against CPython itself (Debian's /usr/bin/python3): the words of
// random.Random(seed), getrandbits of several widths, and random.sample drawn in sequence from
// one generator, as lm-eval draws few-shot examples document after document.
#include "suites/python_random.h"

#include <QProcess>
#include <QtTest>

#include <nlohmann/json.hpp>

using namespace slim::suites;

namespace {

nlohmann::json python(const QString &script)
{
    QProcess p;
    p.start("/usr/bin/python3", {"-c", script});
    if (!p.waitForFinished(60000) || p.exitCode() != 0)
        qFatal("python3 failed: %s", p.readAllStandardError().constData());
    return nlohmann::json::parse(p.readAllStandardOutput().toStdString());
}

} // namespace

class TestPythonRandom : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        if (!QFileInfo::exists("/usr/bin/python3"))
            QFAIL("/usr/bin/python3 is missing: run bash packaging/install-deps.sh");
    }

    void wordsAndBitsMatchCPython()
    {
        const auto expected
            = python("import random, json\n"
                     "out = {}\n"
                     "for seed in (0, 1, 1234, 2**32 + 7, 2**63 + 5):\n"
                     "    r = random.Random(seed)\n"
                     "    out[str(seed)] = [r.getrandbits(32) for _ in range(700)] + "
                     "[r.getrandbits(k) for k in (1, 5, 31, 33, 40, 64)]\n"
                     "print(json.dumps(out))");
        for (uint64_t seed : {uint64_t(0), uint64_t(1), uint64_t(1234), (uint64_t(1) << 32) + 7,
                              (uint64_t(1) << 63) + 5}) {
            PythonRandom r(seed);
            std::vector<uint64_t> got;
            for (int i = 0; i < 700; ++i) // past one regeneration of the 624-word state
                got.push_back(r.nextWord());
            for (int k : {1, 5, 31, 33, 40, 64})
                got.push_back(r.getrandbits(k));
            QCOMPARE(got, expected.at(std::to_string(seed)).get<std::vector<uint64_t>>());
        }
    }

    void samplesInSequenceMatchCPython()
    {
        // Small populations take the pool algorithm, large ones the set algorithm; k > 5 changes
        // the threshold.
        const std::vector<std::pair<size_t, size_t>> draws {
            {10, 3},   {21, 5},   {22, 5},    {30, 6}, {85, 6},   {86, 6},
            {1000, 5}, {7473, 5}, {40398, 1}, {8, 8},  {100, 26}, {3, 0}};
        QString script = "import random, json\nr = random.Random(1234)\nout = []\n";
        for (const auto &[n, k] : draws)
            script += QString("out.append(r.sample(range(%1), %2))\n").arg(n).arg(k);
        script += "print(json.dumps(out))";
        const auto expected = python(script);
        PythonRandom r(1234);
        for (size_t i = 0; i < draws.size(); ++i)
            QCOMPARE(r.sample(draws[i].first, draws[i].second),
                     expected[i].get<std::vector<size_t>>());
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, r.sample(3, 4));
    }

    void randbelowMatchesCPython()
    {
        const auto expected = python("import random, json\nr = random.Random(99)\n"
                                     "print(json.dumps([r.randrange(n) for n in (1, 2, 3, 7, 100, "
                                     "1000003, 2**40 + 3)]))");
        PythonRandom r(99);
        std::vector<uint64_t> got;
        for (uint64_t n : {uint64_t(1), uint64_t(2), uint64_t(3), uint64_t(7), uint64_t(100),
                           uint64_t(1000003), (uint64_t(1) << 40) + 3})
            got.push_back(r.randbelow(n));
        QCOMPARE(got, expected.get<std::vector<uint64_t>>());
    }
};

QTEST_APPLESS_MAIN(TestPythonRandom)
#include "tst_python_random.moc"
