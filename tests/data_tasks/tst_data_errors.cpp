// Error messages for missing and malformed data, on small hand-written fixtures in a
// QTemporaryDir that SLIM_DATA_DIR / SLIM_RESOURCES_DIR point to.

#include "data/sources.h"
#include "data/task_catalog.h"
#include "data/text_files.h"

#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

using namespace slim::data;
namespace fs = std::filesystem;

namespace {

void writePlain(const fs::path &path, const std::string &text)
{
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
}

void writeGz(const fs::path &path, const std::string &text)
{
    fs::create_directories(path.parent_path());
    writeGzipFile(path, text);
}

const char *kCountriesCsv
    = "\"Code\",\"Name\",\"Native\",\"Phone\",\"Continent\",\"Capital\",\"Currency\","
      "\"Languages\"\n"
      "\"FR\",\"France\",\"France\",\"33\",\"Europe\",\"Paris\",\"EUR\",\"fr\"\n"
      "\"IT\",\"Italy\",\"Italia\",\"39\",\"Europe\",\"Rome\",\"EUR\",\"it\"\n"
      "\"PE\",\"Peru\",\"Perú\",\"51\",\"South America\",\"Lima\",\"PEN\",\"es,qu\"\n"
      "\"NO\",\"Norway\",\"Norge\",\"47\",\"Europe\",\"Oslo\",\"NOK\",\"no,nb,nn\"\n"
      "\"JP\",\"Japan\",\"日本\",\"81\",\"Asia\",\"Tokyo\",\"JPY\",\"ja\"\n"
      "\"AQ\",\"Antarctica\",\"Antarctica\",\"672\",\"Antarctica\",\"\",\"\",\"\"\n";

// Runs `action` and returns the DataError message (fails the test if nothing is thrown).
template<typename Action>
QString errorOf(Action action)
{
    try {
        action();
    } catch (const DataError &error) {
        return QString::fromStdString(error.what());
    }
    return QStringLiteral("<no DataError thrown>");
}

} // namespace

class TestDataErrors : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    fs::path m_resources;
    fs::path m_fetched;
    QByteArray m_savedResources;
    QByteArray m_savedData;

    DataLocator locator() const { return DataLocator::fromEnvironment(); }

private Q_SLOTS:
    void initTestCase()
    {
        m_savedResources = qgetenv("SLIM_RESOURCES_DIR");
        m_savedData = qgetenv("SLIM_DATA_DIR");
    }

    void init()
    {
        // A fresh pair of folders per test function.
        static int counter = 0;
        QVERIFY(m_dir.isValid());
        const fs::path base = fs::path(m_dir.path().toStdString()) / std::to_string(++counter);
        m_resources = base / "resources";
        m_fetched = base / "fetched";
        fs::create_directories(m_resources / "data");
        fs::create_directories(m_fetched);
        qputenv("SLIM_RESOURCES_DIR", QByteArray::fromStdString(m_resources.string()));
        qputenv("SLIM_DATA_DIR", QByteArray::fromStdString(m_fetched.string()));
    }

    void cleanupTestCase()
    {
        qputenv("SLIM_RESOURCES_DIR", m_savedResources);
        qputenv("SLIM_DATA_DIR", m_savedData);
    }

    void locatorFollowsEnvironment()
    {
        QCOMPARE(locator().vendoredDir(), m_resources / "data");
        QCOMPARE(locator().fetchedDir(), m_fetched);
        qunsetenv("SLIM_DATA_DIR");
        QCOMPARE(locator().fetchedDir(), DataLocator::defaultFetchedDir());
        QVERIFY(DataLocator::defaultFetchedDir().string().find("slim-workbench/data")
                != std::string::npos);
    }

    void missingFetchedFileNamesFileAndFix()
    {
        const QString message = errorOf([&] { buildTask("brown_heldout", locator()); });
        QVERIFY2(message.contains(QStringLiteral("brown/cats.txt")), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("bash packaging/fetch-data.sh")),
                 qPrintable(message));

        const QString sentiment = errorOf([&] { buildTask("sentiment", locator()); });
        QVERIFY2(sentiment.contains(QStringLiteral("polarity-en-pang-lee2.csv")),
                 qPrintable(sentiment));
        QVERIFY2(sentiment.contains(QStringLiteral("fetch-data.sh")), qPrintable(sentiment));
    }

    void missingVendoredFileNamesFile()
    {
        const QString message = errorOf([&] { buildTask("capitals", locator()); });
        QVERIFY2(message.contains(QStringLiteral("countries-list/countries.csv.gz")),
                 qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("SLIM_RESOURCES_DIR")), qPrintable(message));
    }

    void malformedCountriesLineNamesFileAndLine()
    {
        const fs::path file = m_resources / "data/countries-list/countries.csv.gz";
        writeGz(file, std::string(kCountriesCsv) + "\"XX\",\"Nowhere\",\"Europe\"\n");
        const QString message = errorOf([&] { loadCountries(locator()); });
        QVERIFY2(message.startsWith(QString::fromStdString(file.string() + ":8:")),
                 qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("expected 8 fields, found 3")),
                 qPrintable(message));
    }

    void unterminatedQuoteNamesLine()
    {
        const fs::path file = m_resources / "data/us-states-capitals/data.csv.gz";
        writeGz(file, "state,capital\nOhio,Columbus\n\"Texas,Austin\n");
        const QString message = errorOf([&] { loadStateCapitals(locator()); });
        QVERIFY2(message.contains(QStringLiteral("data.csv.gz:3:")), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("unterminated")), qPrintable(message));
    }

    void malformedBrownTokenNamesFileAndLine()
    {
        writePlain(m_fetched / "brown/cats.txt", "ca01 news\n");
        writePlain(m_fetched / "brown/ca01",
                   "\n\n\tThe/at jury/nn said/vbd ./.\n\n\tIt/pps "
                   "rained ./.\n");
        const QString message = errorOf([&] { loadBrownCorpus(locator()); });
        QVERIFY2(message.contains(QStringLiteral("brown/ca01:5:")), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("\"rained\"")), qPrintable(message));
    }

    void malformedPolarityLabelNamesLine()
    {
        writePlain(m_fetched / "polarity/polarity-en-pang-lee2.csv",
                   "\xEF\xBB\xBF\"1\",\"a fine , \"\"warm\"\" film . \n\"\n\"0\",\"dull . \n\"\n");
        const QString message = errorOf([&] { loadPolaritySentences(locator()); });
        QVERIFY2(message.contains(QStringLiteral("polarity-en-pang-lee2.csv:3:")),
                 qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("label \"0\"")), qPrintable(message));
    }

    void parsesQuotedMultiLineCsv()
    {
        const auto records = parseCsv("\xEF\xBB\xBF\"1\",\"a \"\"b\"\"\nc\"\n\n-1,d\n", "x.csv");
        QCOMPARE(records.size(), std::size_t(2));
        QCOMPARE(records[0].fields[1], std::string("a \"b\"\nc"));
        QCOMPARE(records[1].line, 4);
        QCOMPARE(records[1].fields[0], std::string("-1"));
    }

    void brownDetokenisation()
    {
        writePlain(m_fetched / "brown/cats.txt", "ca01 news\n");
        writePlain(m_fetched / "brown/ca01",
                   "\n\n\t``/`` The/at jury/nn ,/, 1/2/cd of/in it/pps ,/, said/vbd ''/'' "
                   "(/( so/rb )/) ./.\n");
        const auto brown = loadBrownCorpus(locator());
        QCOMPARE(brown.size(), std::size_t(1));
        QCOMPARE(brown[0].genre, std::string("news"));
        QCOMPARE(brown[0].text, std::string("\"The jury, 1/2 of it, said\" (so)."));
    }

    void fixtureChoiceTasks()
    {
        writeGz(m_resources / "data/countries-list/countries.csv.gz", kCountriesCsv);
        const Task capitals = buildTask("capitals", locator());
        QCOMPARE(capitals.choiceTest.size(), std::size_t(5)); // Antarctica has no capital
        for (const ChoiceItem &item : capitals.choiceTest) {
            QCOMPARE(item.choices.size(), std::size_t(4));
            const std::set<std::string> distinct(item.choices.begin(), item.choices.end());
            QCOMPARE(distinct.size(), item.choices.size());
        }
        QCOMPARE(capitals.choiceTest[0].context, std::string("The capital of France is"));
        QCOMPARE(capitals.choiceTest[0].choices[std::size_t(capitals.choiceTest[0].gold)],
                 std::string("Paris"));

        const Task continents = buildTask("continents", locator());
        QCOMPARE(continents.choiceTest.size(), std::size_t(6));
        const std::vector<std::string> expected = {"Antarctica", "Asia", "Europe", "South America"};
        QCOMPARE(continents.choiceTest[0].choices, expected);
        QCOMPARE(continents.choiceTest[0].context, std::string("Antarctica is in"));
    }

    void unknownTaskListsKnownOnes()
    {
        const QString message = errorOf([&] { buildTask("capitols", locator()); });
        QVERIFY2(message.contains(QStringLiteral("\"capitols\"")), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("capitals")), qPrintable(message));
    }

    void impossibleSizesAreExplained()
    {
        writeGz(m_resources / "data/first-names/female.txt.gz", "Mary\nAnne\nKim\n");
        writeGz(m_resources / "data/first-names/male.txt.gz", "John\nPaul\nKim\n");
        TaskOptions options;
        options.trainSize = 2;
        options.testSize = 2;
        const Task small = buildTask("name_gender", locator(), options);
        QCOMPARE(small.train.size(), std::size_t(2));
        QCOMPARE(small.choiceTest.size(), std::size_t(2));
        for (const TextExample &example : small.train) // "Kim" is in both lists: dropped
            QVERIFY(example.prompt.find("Kim") == std::string::npos);

        options.trainSize = 4;
        const QString message = errorOf([&] { buildTask("name_gender", locator(), options); });
        QVERIFY2(message.contains(QStringLiteral("only 2")), qPrintable(message));
    }
};

QTEST_APPLESS_MAIN(TestDataErrors)
#include "tst_data_errors.moc"
