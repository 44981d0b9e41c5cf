// slimctl end to end on a tiny untrained model: train records everything, show/compare/export
// read it back, Ctrl-C cancels cleanly and resume finishes the run, bad specs fail clearly.
#include "slimctl_process.h"
#include "store/run_store.h"

#include <nlohmann/json.hpp>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <fstream>
#include <set>

using namespace slim::store;

namespace {

using Result = slim::test::ProcessResult;

class TestSlimctlEndToEnd : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_db, m_model;

    Result slimctl(const QStringList &args, int timeoutMs = 600000)
    {
        return slim::test::runProcess(SLIMCTL_PATH, QStringList{"--db", m_db, "--quiet"} + args,
                                      m_dir.path() + "/home", timeoutMs);
    }

    QString writeSpec(const nlohmann::json &spec, const QString &name)
    {
        return slim::test::writeJsonFile(m_dir.path() + "/" + name, spec);
    }

    nlohmann::json tinySpec(int steps) const
    {
        return {{"name", "tiny slim"},
                {"base_model", m_model.toStdString()},
                {"seed", 3},
                {"adapter", {{"method", "slim"}, {"lora_rank", 2}, {"lora_alpha", 4},
                             {"num_lora_experts", 3}, {"num_clusters", 2}}},
                {"data", {{"setting", "mds"}, {"tasks", {"name_gender", "reversal"}},
                          {"train_examples_per_task", 64}}},
                {"schedule", {{"steps", steps}, {"batch_size", 4}, {"lr", 1e-3},
                              {"log_every", 2}, {"eval_every", 4}, {"checkpoint_every", 2},
                              {"max_length", 48}}},
                {"eval", {{"general_tasks", {"capitals"}}, {"probe_items", 6},
                          {"batch_size", 16}, {"final_full", false}}}};
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_db = m_dir.path() + "/runs.sqlite";
        m_model = m_dir.path() + "/tiny-model";
        auto r = slimctl({"init-model", "--out", m_model, "--hidden-size", "32",
                          "--intermediate-size", "64", "--layers", "2", "--heads", "4"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
    }

    void trainRecordsEverything()
    {
        auto r = slimctl({"train", writeSpec(tinySpec(8), "spec.json"), "--tag", "e2e"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        RunStore db(m_db.toStdString());
        auto runs = db.listRuns();
        QCOMPARE(runs.size(), size_t(1));
        const auto id = runs[0].id;
        auto run = *db.getRun(id);
        QCOMPARE(run.status, RunStatus::Succeeded);
        QCOMPARE(run.method, std::string("slim"));
        QCOMPARE(run.currentStep, int64_t(8));
        QCOMPARE(run.tags, std::vector<std::string>{"e2e"});
        // The commit the binary was built from, stamped at build time (not CMake's last
        // configure): HEAD, with "-dirty" when the tree has changes.
        QProcess git;
        git.start("git", {"-C", SLIM_TEST_DATA_DIR "/../..", "rev-parse", "--short=12", "HEAD"});
        if (git.waitForFinished() && git.exitCode() == 0)
            QVERIFY2(run.gitCommit.starts_with(git.readAllStandardOutput().trimmed().toStdString()),
                     run.gitCommit.c_str());
        else
            QCOMPARE(run.gitCommit, std::string("unknown"));
        QCOMPARE(run.device, std::string("cpu"));
        auto hashes = nlohmann::json::parse(run.datasetHashesJson);
        QVERIFY(hashes.contains("name_gender") && hashes.contains("capitals")
                && hashes.contains("base_model"));
        QVERIFY(nlohmann::json::parse(run.versionsJson).contains("libtorch"));
        QCOMPARE(nlohmann::json::parse(run.specJson)["schedule"]["steps"].get<int>(), 8);

        auto metrics = db.metricNames(id);
        for (const char *m : {"loss/lm", "loss/l1", "lr", "tokens_per_sec"})
            QVERIFY2(std::find(metrics.begin(), metrics.end(), m) != metrics.end(), m);
        QCOMPARE(db.series(id, "loss/lm", 100).size(), size_t(4)); // steps 2, 4, 6, 8

        auto evals = db.evalResults(id);
        std::set<int64_t> steps;
        std::set<std::string> modes;
        for (const auto &e : evals) {
            steps.insert(e.step);
            modes.insert(std::string(scoringModeName(e.mode)));
            QVERIFY(!e.templateHash.empty());
            QVERIFY(e.floor.has_value());
        }
        QCOMPARE(steps, (std::set<int64_t>{0, 4, 8}));
        QVERIFY(modes.count("loglikelihood") && modes.count("label_logits")
                && modes.count("exact_match"));

        auto routing = db.routingLayerStats(id);
        std::set<std::string> probes;
        for (const auto &r : routing)
            probes.insert(r.probe);
        QCOMPARE(probes, (std::set<std::string>{"downstream", "general", "train"}));
        QVERIFY(!db.clusterCentres(id).empty());
        bool identity = false;
        for (const auto &e : db.routingExpertStats(id))
            identity = identity || e.isIdentity;
        QVERIFY(identity);
        // Checkpoints every 2 steps, the default policy keeps the last 3 and the evaluated ones
        // (every 4): step 2 is gone, from the store and from disk.
        std::vector<std::int64_t> kept;
        for (const auto &c : db.checkpoints(id))
            kept.push_back(c.step);
        QCOMPARE(kept, (std::vector<std::int64_t>{4, 6, 8}));
        QVERIFY(!QFileInfo::exists(QString::fromStdString(db.checkpoints(id).front().path)
                                       .replace("step_000004", "step_000002")));
        QCOMPARE(db.latestCheckpoint(id)->sha256.size(), size_t(64));
        auto artifacts = db.artifacts(id);
        QCOMPARE(artifacts.size(), size_t(1));
        QCOMPARE(artifacts[0].kind, std::string("adapter"));
        QVERIFY(run.downstreamAvg.has_value() && run.forgettingAvg.has_value());
    }

    void showCompareAndExportReadItBack()
    {
        auto show = slimctl({"--json", "show", "1"});
        QVERIFY2(show.code == 0, qPrintable(show.err));
        auto json = nlohmann::json::parse(show.out.toStdString());
        QCOMPARE(json["status"].get<std::string>(), std::string("succeeded"));
        QVERIFY(json["scores"]["downstream"].contains("name_gender"));
        QVERIFY(json["scores"]["forgetting"].contains("capitals"));

        auto compare = slimctl({"compare", "1"});
        QVERIFY2(compare.code == 0, qPrintable(compare.err));
        QVERIFY(compare.out.contains("base model") && compare.out.contains("tiny slim"));

        auto csv = slimctl({"export", "1", "--table", "metrics"});
        QVERIFY(csv.out.startsWith("step,name,value\n"));
        QVERIFY(csv.out.contains(",loss/lm,"));
        auto runs = slimctl({"--json", "runs", "--method", "slim"});
        QCOMPARE(nlohmann::json::parse(runs.out.toStdString()).size(), size_t(1));
    }

    void interruptCancelsAndResumeFinishes()
    {
        QProcess p;
        p.setProcessEnvironment(slim::test::testEnvironment(m_dir.path() + "/home"));
        // Long enough that the interrupt lands mid-run; the checkpoints are what resume uses.
        auto spec = tinySpec(3000);
        spec["schedule"]["eval_every"] = 1500;
        spec["schedule"]["checkpoint_every"] = 50;
        spec["schedule"]["log_every"] = 50;
        p.start(SLIMCTL_PATH, {"--db", m_db, "--quiet", "train", writeSpec(spec, "long.json"),
                               "--name", "long"});
        QVERIFY(p.waitForStarted());
        // Interrupt once the run has trained a few steps.
        bool training = false;
        for (int i = 0; i < 600 && !training; ++i) {
            QTest::qWait(200);
            RunStore db(m_db.toStdString());
            for (const auto &r : db.listRuns())
                training = training || (r.name == "long" && r.currentStep >= 4);
        }
        QVERIFY(training);
        ::kill(pid_t(p.processId()), SIGINT);
        QVERIFY(p.waitForFinished(120000));
        QCOMPARE(p.exitCode(), 130);
        RunStore db(m_db.toStdString());
        auto run = db.listRuns(RunFilter{.text = "long"}).front();
        QCOMPARE(run.status, RunStatus::Cancelled);
        auto checkpoint = db.latestCheckpoint(run.id);
        QVERIFY(checkpoint && checkpoint->step >= 4 && checkpoint->step < 3000);

        auto resumed = slimctl({"resume", QString::number(run.id)});
        QVERIFY2(resumed.code == 0, qPrintable(resumed.err));
        auto after = *db.getRun(run.id);
        QCOMPARE(after.status, RunStatus::Succeeded);
        QCOMPARE(after.currentStep, int64_t(3000));
    }

    // kill -9: nothing is cleaned up by the process; the store stays intact, the run is found
    // interrupted and resumes from its last checkpoint.
    void killedRunIsInterruptedAndResumable()
    {
        auto spec = tinySpec(1500);
        spec["schedule"]["eval_every"] = 1500;
        spec["schedule"]["checkpoint_every"] = 50;
        spec["schedule"]["log_every"] = 50;
        QProcess p;
        p.setProcessEnvironment(slim::test::testEnvironment(m_dir.path() + "/home"));
        p.start(SLIMCTL_PATH, {"--db", m_db, "--quiet", "train", writeSpec(spec, "killed.json"),
                               "--name", "killed"});
        QVERIFY(p.waitForStarted());
        bool checkpointed = false;
        for (int i = 0; i < 600 && !checkpointed; ++i) {
            QTest::qWait(200);
            RunStore db(m_db.toStdString());
            for (const auto &r : db.listRuns(RunFilter{.text = "killed"}))
                checkpointed = checkpointed || bool(db.latestCheckpoint(r.id));
        }
        QVERIFY(checkpointed);
        ::kill(pid_t(p.processId()), SIGKILL);
        QVERIFY(p.waitForFinished(30000));

        auto listing = slimctl({"--json", "runs", "--text", "killed"});
        auto runs = nlohmann::json::parse(listing.out.toStdString());
        QCOMPARE(runs[0]["status"].get<std::string>(), std::string("interrupted"));
        const auto id = runs[0]["id"].get<int64_t>();
        auto resumed = slimctl({"resume", QString::number(id)});
        QVERIFY2(resumed.code == 0, qPrintable(resumed.err));
        RunStore db(m_db.toStdString());
        QCOMPARE(db.getRun(id)->status, RunStatus::Succeeded);
        QCOMPARE(db.getRun(id)->currentStep, int64_t(1500));
        QCOMPARE(db.getRun(id)->errorMessage, std::string());
    }

    void badSpecsFailWithTheFieldPath()
    {
        auto spec = tinySpec(4);
        spec["schedule"]["lr"] = -1;
        spec["adapter"]["merge"] = "quick";
        auto r = slimctl({"train", writeSpec(spec, "bad.json")});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("schedule.lr: -1 is outside"), qPrintable(r.err));
        QVERIFY(r.err.contains("adapter.merge"));
        auto broken = m_dir.path() + "/broken.json";
        std::ofstream(broken.toStdString()) << "{ \"adapter\": ";
        r = slimctl({"train", broken});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("not valid JSON"), qPrintable(r.err));
        r = slimctl({"show", "999"});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("no run with id 999"));
    }

    void benchmarkRunsSeedsResumesAndTabulates()
    {
        const auto mainDb = m_db;
        m_db = m_dir.path() + "/benchmark.sqlite"; // its own database
        const QStringList plan {"benchmark", "--methods", "lora", "--seeds", "2",
                                "--no-ablations", "--steps", "4", "--model", m_model};
        auto r = slimctl(plan + QStringList {"--format", "csv"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("\nlora,1 2,"), qPrintable(r.out)); // one row over both seeds
        {
            RunStore db(m_db.toStdString());
            RunFilter filter;
            filter.tag = "benchmark";
            auto runs = db.listRuns(filter);
            QCOMPARE(runs.size(), size_t(2));
            std::set<std::int64_t> seeds;
            for (const auto &run : runs) {
                QCOMPARE(run.status, RunStatus::Succeeded);
                seeds.insert(*db.getRun(run.id)->seed);
            }
            QCOMPARE(seeds, (std::set<std::int64_t>{1, 2}));
            // As if the second run had been interrupted.
            db.setStatus(runs.front().id, RunStatus::Interrupted, "killed");
        }
        // Again: the finished run is kept, the interrupted one resumes, nothing new is queued.
        r = slimctl(plan);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains("already finished") && r.err.contains("resumed"),
                 qPrintable(r.err));
        QVERIFY(r.out.contains("| lora | "));
        {
            RunStore db(m_db.toStdString());
            QCOMPARE(db.listRuns().size(), size_t(2));
        }
        // The whole plan: 8 methods and SLIM's 4 ablations, 3 seeds each, of which LoRA's first
        // two seeds are done; its table at any time, without running anything.
        r = slimctl({"benchmark", "--table", "--model", m_model});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains("2 of 36 benchmark runs finished"), qPrintable(r.err));
        QVERIFY(r.out.contains("| lora | "));
        m_db = mainDb;
    }
};

} // namespace

QTEST_GUILESS_MAIN(TestSlimctlEndToEnd)
#include "tst_slimctl_e2e_slow.moc"
