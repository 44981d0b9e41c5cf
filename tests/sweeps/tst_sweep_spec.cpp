// Sweep specs (core/sweeps/sweep_spec.h): expansion order and names, stable ids, the method
// axis, and every refusal naming its field or the axis values of the runs it concerns.
#include "sweeps/sweep_spec.h"

#include <QTemporaryDir>
#include <QTest>

#include <fstream>
#include <set>

using nlohmann::json;
using namespace slim::sweeps;

namespace {

json smallSweep()
{
    return json::parse(R"({
        "name": "rank-lr",
        "base": {"base_model": "builtin", "seed": 5,
                 "adapter": {"method": "slim", "num_clusters": 3, "lora_rank": 4},
                 "schedule": {"steps": 40, "lr": 0.001}},
        "axes": {"seed": [1, 2], "schedule.lr": [0.0001, 0.0002], "method": ["slim", "lora"]}})");
}

std::string problemsText(const json &document, const std::filesystem::path &folder = {})
{
    std::string text;
    for (const auto &e : validateSweep(document, folder))
        text += e.text() + "\n";
    return text;
}

} // namespace

class TestSweepSpec : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void expandsEveryCombinationInPathOrder()
    {
        const auto sweep = sweepFromJson(smallSweep());
        QCOMPARE(sweep.runs.size(), std::size_t(8));
        QCOMPARE(sweep.axes.size(), std::size_t(3));
        QCOMPARE(sweep.axes[0].path, std::string("adapter.method")); // "method" is short for it
        QCOMPARE(sweep.axes[1].path, std::string("schedule.lr"));
        QCOMPARE(sweep.axes[2].path, std::string("seed"));
        // The last axis varies fastest; values keep the order given.
        QCOMPARE(sweep.runs[0].name, std::string("rank-lr method=slim lr=0.0001 seed=1"));
        QCOMPARE(sweep.runs[1].name, std::string("rank-lr method=slim lr=0.0001 seed=2"));
        QCOMPARE(sweep.runs[2].name, std::string("rank-lr method=slim lr=0.0002 seed=1"));
        QCOMPARE(sweep.runs[7].name, std::string("rank-lr method=lora lr=0.0002 seed=2"));
        for (std::size_t i = 0; i < sweep.runs.size(); ++i)
            QCOMPARE(sweep.runs[i].index, i);
        const auto &last = sweep.runs[7].spec;
        QVERIFY(last["adapter"]["method"] == "lora");
        QCOMPARE(last["schedule"]["lr"].get<double>(), 0.0002);
        QCOMPARE(last["seed"].get<int>(), 2);
        QVERIFY(last["name"] == sweep.runs[7].name);
        // The base's other fields are kept, and every default is filled in.
        QCOMPARE(last["schedule"]["steps"].get<int>(), 40);
        QCOMPARE(last["adapter"]["lora_rank"].get<int>(), 4);
        QVERIFY(last["schedule"].contains("batch_size"));
        // The SLIM-only option of the base applies to the SLIM runs only.
        QCOMPARE(sweep.runs[0].spec["adapter"]["num_clusters"].get<int>(), 3);
        QVERIFY(!last["adapter"].contains("num_clusters"));
    }

    void idsAreStableAndDistinct()
    {
        const auto a = sweepFromJson(smallSweep());
        const auto b = sweepFromJson(smallSweep());
        QCOMPARE(a.uuid, b.uuid);
        std::set<std::string> ids;
        for (std::size_t i = 0; i < a.runs.size(); ++i) {
            QCOMPARE(a.runs[i].uuid, b.runs[i].uuid);
            QCOMPARE(a.runs[i].uuid.size(), std::size_t(36));
            ids.insert(a.runs[i].uuid);
        }
        QCOMPARE(ids.size(), a.runs.size());
        // The written-out sweep is the same sweep; key order in the file does not matter.
        const auto again = sweepFromJson(json::parse(a.toJson().dump()));
        QCOMPARE(again.uuid, a.uuid);
        QCOMPARE(again.runs[5].uuid, a.runs[5].uuid);
        // Another name, another sweep, other run ids.
        auto renamed = smallSweep();
        renamed["name"] = "rank-lr-2";
        const auto other = sweepFromJson(renamed);
        QVERIFY(other.uuid != a.uuid);
        QVERIFY(!ids.count(other.runs[0].uuid));
    }

    void refusesAnInvalidCombinationNamingItsAxisValues()
    {
        auto document = smallSweep();
        document["axes"]["adapter.num_clusters"] = {2, 4};
        const auto text = problemsText(document);
        QVERIFY2(text.find("method=lora num_clusters=2") != std::string::npos, text.c_str());
        QVERIFY2(text.find("adapter.num_clusters: does not apply to method lora")
                     != std::string::npos,
                 text.c_str());
        QVERIFY2(text.find("other runs") != std::string::npos, text.c_str());
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, sweepFromJson(document));
    }

    void refusesAxisValuesOutOfRange()
    {
        auto document = smallSweep();
        document["axes"]["schedule.lr"] = {0.0001, -1};
        const auto text = problemsText(document);
        QVERIFY2(text.find("lr=-1") != std::string::npos, text.c_str());
        QVERIFY2(text.find("schedule.lr") != std::string::npos, text.c_str());
    }

    void aProblemOfEveryRunIsTheBases()
    {
        auto document = smallSweep();
        document["base"]["schedule"]["steps"] = -3;
        const auto problems = validateSweep(document);
        QCOMPARE(problems.size(), std::size_t(1));
        QCOMPARE(problems[0].path, std::string("base"));
        QVERIFY2(problems[0].message.find("schedule.steps") != std::string::npos,
                 problems[0].message.c_str());
        QVERIFY(problems[0].message.find("every run") != std::string::npos);
    }

    void refusesBadAxes_data()
    {
        QTest::addColumn<QString>("axes");
        QTest::addColumn<QString>("expected");
        QTest::newRow("unknown field") << R"({"schedule.lrr": [1]})"
                                       << "axes.schedule.lrr: no such run spec field";
        QTest::newRow("empty list") << R"({"seed": []})" << "axes.seed: expected a non-empty list";
        QTest::newRow("not a list") << R"({"seed": 3})" << "axes.seed: expected a non-empty list";
        QTest::newRow("twice") << R"({"seed": [1, 1]})" << "axes.seed: value 1 is given twice";
        QTest::newRow("alias twice") << R"({"method": ["lora"], "adapter.method": ["slim"]})"
                                     << "given twice";
        QTest::newRow("name") << R"({"name": ["a", "b"]})" << "axes.name: the runs are named";
        QTest::newRow("no axes") << R"({})" << "axes: expected an object";
        QTest::newRow("too many") << R"({"seed": [1,2,3,4,5,6,7,8,9,10],
            "schedule.steps": [1,2,3,4,5,6,7,8,9,10], "schedule.batch_size": [1,2,3,4,5,6,7,8,9,10],
            "schedule.warmup_steps": [1,2,3,4,5,6,7,8,9,10], "eval.probe_items": [1,2]})"
                                  << "more than 10000 runs";
    }

    void refusesBadAxes()
    {
        QFETCH(QString, axes);
        QFETCH(QString, expected);
        auto document = smallSweep();
        document["axes"] = json::parse(axes.toStdString());
        const auto text = problemsText(document);
        QVERIFY2(text.find(expected.toStdString()) != std::string::npos, text.c_str());
    }

    void refusesABadDocument()
    {
        QVERIFY(problemsText(json::array()).find("expected a JSON object") != std::string::npos);
        auto document = smallSweep();
        document.erase("name");
        document["seeds"] = 3;
        const auto text = problemsText(document);
        QVERIFY2(text.find("name: expected the sweep's name") != std::string::npos, text.c_str());
        QVERIFY2(text.find("seeds: unknown field") != std::string::npos, text.c_str());
        document = smallSweep();
        document.erase("base");
        QVERIFY(problemsText(document).find("base: missing") != std::string::npos);
        // A group of the base that is not an object, with an axis inside it (fuzzing found it
        // threw a JSON type error).
        document = smallSweep();
        document["base"]["adapter"] = "b";
        const auto groupText = problemsText(document);
        QVERIFY2(groupText.find("adapter: expected an object") != std::string::npos,
                 groupText.c_str());
        document.erase("base");
        document["base"] = "no-such-preset";
        QVERIFY(problemsText(document).find("neither a preset nor a readable spec file")
                != std::string::npos);
    }

    void baseFromAPresetOrAFileBesideTheSweep()
    {
        auto document = smallSweep();
        document["base"] = "builtin-lora";
        document["axes"] = {{"seed", {1, 2}}};
        const auto fromPreset = sweepFromJson(document);
        QCOMPARE(fromPreset.runs.size(), std::size_t(2));
        QVERIFY(fromPreset.runs[0].spec["adapter"]["method"] == "lora");

        QTemporaryDir dir;
        const std::filesystem::path folder = dir.path().toStdString();
        std::ofstream(folder / "base.json") << smallSweep()["base"].dump();
        document["base"] = "base.json";
        const auto fromFile = sweepFromJson(document, folder);
        QCOMPARE(fromFile.runs[1].spec["schedule"]["steps"].get<int>(), 40);
        QVERIFY(fromFile.base == smallSweep()["base"]); // resolved: the sweep carries its base

        std::ofstream(folder / "broken.json") << "{\"seed\": 1,\n  oops}";
        document["base"] = "broken.json";
        const auto text = problemsText(document, folder);
        QVERIFY2(text.find("broken.json: not valid JSON") != std::string::npos, text.c_str());
        QVERIFY2(text.find("line 2") != std::string::npos, text.c_str());
    }

    void loadsAFileNamingItInErrors()
    {
        QTemporaryDir dir;
        const std::filesystem::path file = dir.path().toStdString() + "/sweep.json";
        std::ofstream(file) << smallSweep().dump(2);
        QCOMPARE(loadSweepFile(file).runs.size(), std::size_t(8));
        std::ofstream(file) << "{\"name\": \"x\",\n\"axes\": [}";
        try {
            loadSweepFile(file);
            QFAIL("a broken file loaded");
        } catch (const std::invalid_argument &e) {
            const std::string what = e.what();
            QVERIFY2(what.find(file.string()) != std::string::npos, e.what());
            QVERIFY2(what.find("line 2") != std::string::npos, e.what());
        }
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, loadSweepFile(file.string() + ".missing"));
    }
};

QTEST_APPLESS_MAIN(TestSweepSpec)
#include "tst_sweep_spec.moc"
