// GSM8K's answer extraction and exact match as lm-evaluation-harness runs them (strict-match,
// flexible-extract, the regexes it ignores), on model outputs of the kinds real models write.
#include "suites/answer_extraction.h"

#include <QtTest>

using namespace slim::suites;

namespace {

const std::string kGoldFull = "Natalia sold 48/2 = <<48/2=24>>24 clips in May.\nNatalia sold "
                              "48+24 = <<48+24=72>>72 clips altogether in April and May.\n#### 72";

std::pair<std::string, std::string> answers(AnswerFilter filter, const std::string &generated)
{
    const auto filtered = extractAnswers(filter, generated);
    return {filtered.at(0).answer, filtered.at(1).answer};
}

} // namespace

class TestAnswerExtraction : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void gsm8kFilters_data()
    {
        QTest::addColumn<int>("filter");
        QTest::addColumn<QString>("generated");
        QTest::addColumn<QString>("reference");
        QTest::addColumn<QString>("strict");
        QTest::addColumn<QString>("flexible");
        QTest::addColumn<bool>("strictCorrect");
        QTest::addColumn<bool>("flexibleCorrect");
        const int plain = int(AnswerFilter::Gsm8k), cot = int(AnswerFilter::Gsm8kCot);
        const auto gold = QString::fromStdString(kGoldFull);
        QTest::newRow("plain, #### line") << plain
                                          << " Natalia sold 48/2 = 24 clips in May.\nShe sold "
                                             "48+24 = 72 clips in total.\n#### 72\n\n"
                                          << gold << "72"
                                          << "72" << true << true;
        QTest::newRow("plain, no ####")
            << plain << " She sold 24 in May, so 48 + 24 = 72 clips." << gold << "[invalid]"
            << "72" << false << true;
        QTest::newRow("plain, dollars and decimals") << plain << " The total is $1,250.00"
                                                     << "Cost.\n#### 1,250"
                                                     << "[invalid]"
                                                     << "$1,250.00" << false << false;
        QTest::newRow("plain, first #### wins strict, last number flexible")
            << plain << " #### 5\nwait, #### 6 and 7"
            << "#### 5"
            << "5"
            << "7" << true << false;
        QTest::newRow("plain, negative") << plain << " so -3\n#### -3"
                                         << "#### -3"
                                         << "-3"
                                         << "-3" << true << true;
        QTest::newRow("cot, the answer is")
            << cot << " In May she sold 48 / 2 = 24. 48 + 24 = 72. The answer is 72.\n\n"
            << "72"
            << "72"
            << "72." << true << true;
        QTest::newRow("cot, lower case") << cot << " 48 + 24 = 72 so the answer is 72"
                                         << "72"
                                         << "[invalid]"
                                         << "72" << false << true;
        QTest::newRow("cot, dollars") << cot << " The answer is $5.00."
                                      << "5"
                                      << "[invalid]"
                                      << "$5.00." << false << false;
        // Python's "." needs one more character: at the very end the number gives one back.
        QTest::newRow("cot, answer at the end") << cot << " The answer is 72"
                                                << "72"
                                                << "7"
                                                << "72" << false << true;
    }
    void gsm8kFilters()
    {
        QFETCH(int, filter);
        QFETCH(QString, generated);
        QFETCH(QString, reference);
        QFETCH(QString, strict);
        QFETCH(QString, flexible);
        QFETCH(bool, strictCorrect);
        QFETCH(bool, flexibleCorrect);
        const auto f = AnswerFilter(filter);
        const auto [s, x] = answers(f, generated.toStdString());
        QCOMPARE(QString::fromStdString(s), strict);
        QCOMPARE(QString::fromStdString(x), flexible);
        QCOMPARE(exactMatch(f, s, reference.toStdString()), strictCorrect);
        QCOMPARE(exactMatch(f, x, reference.toStdString()), flexibleCorrect);
    }

    void stopStringsCutAtTheEarliest()
    {
        const std::vector<std::string> until {"Question:", "</s>", "<|im_end|>"};
        QCOMPARE(cutAtStop(" 12\n#### 12\n\n</s>Question: next", until),
                 std::string(" 12\n#### 12\n\n"));
        QCOMPARE(cutAtStop(" a Question: b </s>", until), std::string(" a "));
        QCOMPARE(cutAtStop(" nothing to cut", until), std::string(" nothing to cut"));
    }

    void lineFilterIsTheFirstLineStripped()
    {
        QCOMPARE(extractAnswers(AnswerFilter::Line, "  dcba \nmore").at(0).answer,
                 std::string("dcba"));
        QVERIFY(exactMatch(AnswerFilter::Line, "dcba", " dcba"));
        QVERIFY(!exactMatch(AnswerFilter::Line, "dcb", " dcba"));
    }
};

QTEST_APPLESS_MAIN(TestAnswerExtraction)
#include "tst_answer_extraction.moc"
