// Dataset files as users export them: JSON Lines, JSON arrays and CSV, gzip-compressed or not;
// every record knows its line, and every malformed file is refused naming file and line.
#include "data/data_locator.h"
#include "data/text_files.h"
#include "suites/dataset_records.h"

#include <QTemporaryDir>
#include "suite_test_support.h"

#include <QtTest>

#include <fstream>

using namespace slim;
using namespace slim::suites;
using namespace slim::suites::test;

class TestDatasetRecords : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void threeFormatsGiveTheSameRecords()
    {
        QTemporaryDir dir;
        const auto jsonl = writeFile(
            dir, "a.jsonl",
            "{\"goal\": \"g1\", \"label\": 0}\n\n{\"goal\": \"g,\\\"2\\\"\", \"label\": 1}\n");
        const auto json = writeFile(dir, "a.json",
                                    "[\n  {\"goal\": \"g1\",\n   \"label\": 0},\n  {\"goal\": "
                                    "\"g,\\\"2\\\"\", \"label\": 1}\n]\n");
        const auto csv = writeFile(dir, "a.csv", "goal,label\ng1,0\n\"g,\"\"2\"\"\",1\n");
        data::writeGzipFile(
            dir.path().toStdString() + "/b.jsonl.gz",
            "{\"goal\": \"g1\", \"label\": 0}\n\n{\"goal\": \"g,\\\"2\\\"\", \"label\": 1}\n");
        for (const auto &path : {jsonl, json, csv, dir.path().toStdString() + "/b.jsonl.gz"}) {
            const auto records = readRecords(path);
            QCOMPARE(records.size(), size_t(2));
            QCOMPARE(stringField(records[1], "goal"), std::string("g,\"2\""));
            QCOMPARE(integerField(records[1], "label"), int64_t(1));
        }
        QCOMPARE(readRecords(jsonl)[1].line, 3);
        QCOMPARE(readRecords(json)[1].line, 4);
        QCOMPARE(readRecords(csv)[1].line, 3);
    }

    void csvCellsHoldListsAsJson()
    {
        QTemporaryDir dir;
        const auto csv = writeFile(dir, "arc.csv",
                                   "question,choices,answerKey,flag\n"
                                   "q,\"{\"\"text\"\": [\"\"a\"\", \"\"b\"\"], \"\"label\"\": "
                                   "[\"\"A\"\", \"\"B\"\"]}\",B,True\n");
        const auto records = readRecords(csv);
        QCOMPARE(objectField(records[0], "choices")["text"][1].get<std::string>(),
                 std::string("b"));
        QVERIFY(booleanField(records[0], "flag"));
    }

    void malformedFilesNameFileAndLine()
    {
        QTemporaryDir dir;
        const auto badLine = writeFile(dir, "bad.jsonl", "{\"a\": 1}\n{\"a\": \n");
        auto error = errorOf([&] { readRecords(badLine); });
        QVERIFY2(error.startsWith(QString::fromStdString(badLine) + ":2: not valid JSON"),
                 qPrintable(error));

        const auto notObject = writeFile(dir, "list.jsonl", "[1, 2]\n");
        error = errorOf([&] { readRecords(notObject); });
        QVERIFY2(error.endsWith(":1: a record must be a JSON object, not array"),
                 qPrintable(error));

        const auto badArray = writeFile(dir, "bad.json", "[\n{\"a\": 1},\n{\"a\" 2}\n]");
        error = errorOf([&] { readRecords(badArray); });
        QVERIFY2(error.startsWith(QString::fromStdString(badArray) + ":3: not valid JSON"),
                 qPrintable(error));

        const auto object = writeFile(dir, "obj.json", "{\"a\": 1}");
        error = errorOf([&] { readRecords(object); });
        QVERIFY2(error.contains("expected a JSON array of records"), qPrintable(error));

        const auto ragged = writeFile(dir, "r.csv", "a,b\n1,2\n3\n");
        error = errorOf([&] { readRecords(ragged); });
        QVERIFY2(error.endsWith(":3: 1 fields where the header row has 2"), qPrintable(error));

        const auto text = writeFile(dir, "data.txt", "x");
        error = errorOf([&] { readRecords(text); });
        QVERIFY2(error.contains("unknown file type") && error.contains(".jsonl"),
                 qPrintable(error));

        error = errorOf([&] { readRecords(dir.path().toStdString() + "/missing.jsonl"); });
        QVERIFY2(error.contains("missing.jsonl"), qPrintable(error));
    }

    void fieldTypesAreChecked()
    {
        const auto records = recordsFromJsonLines(
            R"({"s": 1, "i": "x1", "b": "yes", "l": ["a", 2], "o": [1], "n": 2.0, "d": "12"})",
            "f.jsonl");
        const auto &r = records[0];
        QVERIFY(errorOf([&] {
                    stringField(r, "s");
                }).startsWith("f.jsonl:1: field 's' must be a string"));
        QVERIFY(errorOf([&] {
                    integerField(r, "i");
                }).startsWith("f.jsonl:1: field 'i' must be an integer"));
        QVERIFY(errorOf([&] {
                    booleanField(r, "b");
                }).startsWith("f.jsonl:1: field 'b' must be a boolean"));
        QVERIFY(errorOf([&] { stringListField(r, "l"); }).contains("item 1 is number"));
        QVERIFY(errorOf([&] {
                    objectField(r, "o");
                }).startsWith("f.jsonl:1: field 'o' must be an object"));
        QVERIFY(errorOf([&] {
                    stringField(r, "absent");
                }).startsWith("f.jsonl:1: field 'absent' is missing"));
        QCOMPARE(integerField(r, "n"), int64_t(2));
        QCOMPARE(integerField(r, "d"), int64_t(12));
    }
};

QTEST_APPLESS_MAIN(TestDatasetRecords)
#include "tst_dataset_records.moc"
