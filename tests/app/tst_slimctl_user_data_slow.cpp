// slimctl trains on users' files and scores lm-eval suites inside a run, end to end on a tiny
// untrained model: instruction data and tasks in their original shapes mixed with proportions,
// packed rows, truncation counted, the model's chat template, general and downstream suites
// recorded with their versions and shots, base scores cached per model; bad data stops the run
// before any training and names file, line and field.
#include "slimctl_process.h"
#include "store/run_store.h"

#include <nlohmann/json.hpp>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <set>

using namespace slim::store;

namespace {

using Result = slim::test::ProcessResult;

const std::string kData = std::string(SLIM_TEST_DATA_DIR) + "/suites/";

class TestSlimctlUserData : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_db, m_model, m_chatModel;

    Result slimctl(const QStringList &args)
    {
        return slim::test::runProcess(SLIMCTL_PATH, QStringList {"--db", m_db} + args,
                                      m_dir.path() + "/home");
    }

    QString writeSpec(const nlohmann::json &spec, const QString &name)
    {
        return slim::test::writeJsonFile(m_dir.path() + "/" + name, spec);
    }

    nlohmann::json spec(const QString &model, nlohmann::json tasks) const
    {
        return {{"name", "user data"},
                {"base_model", model.toStdString()},
                {"seed", 5},
                {"adapter", {{"method", "lora"}, {"lora_rank", 2}, {"lora_alpha", 4}}},
                {"data", {{"setting", tasks.size() == 1 ? "sds" : "mds"}, {"tasks", tasks}}},
                {"schedule", {{"steps", 4}, {"batch_size", 4}, {"lr", 1e-3}, {"log_every", 2},
                              {"max_length", 300}, {"packing", true}}},
                {"eval", {{"general_tasks", nlohmann::json::array()},
                          {"suites", {"arc_easy=" + kData + "arc_easy.jsonl"}},
                          {"downstream_suites", {"piqa=" + kData + "piqa.jsonl;limit=2"}},
                          {"batch_size", 8}}}};
    }

    RunRecord onlyRun(RunStore &db, const std::string &name)
    {
        for (const auto &run : db.listRuns()) {
            if (run.name == name)
                return *db.getRun(run.id);
        }
        return {};
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_db = m_dir.path() + "/runs.sqlite";
        m_model = m_dir.path() + "/tiny-model";
        auto r = slimctl({"--quiet", "init-model", "--out", m_model, "--hidden-size", "32",
                          "--intermediate-size", "64", "--layers", "2", "--heads", "4"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        // The same model with a ChatML chat template in tokenizer_config.json.
        m_chatModel = m_dir.path() + "/tiny-chat-model";
        QVERIFY(QDir().mkpath(m_chatModel));
        for (const auto &f : QDir(m_model).entryList(QDir::Files))
            QVERIFY(QFile::copy(m_model + "/" + f, m_chatModel + "/" + f));
        const auto configPath = (m_chatModel + "/tokenizer_config.json").toStdString();
        nlohmann::json config = nlohmann::json::parse(std::ifstream(configPath));
        config["chat_template"]
            = "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n"
              "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";
        std::ofstream(configPath) << config.dump(2);
    }

    void trainsOnFilesAndScoresSuites()
    {
        auto s = spec(m_model, {kData + "instruct/alpaca.jsonl", kData + "boolq.jsonl",
                                kData + "piqa.jsonl"});
        s["name"] = "mix";
        s["data"]["proportions"] = {1, 2, 1};
        auto r = slimctl({"train", writeSpec(s, "mix.json")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        // PIQA's instructions in Alpaca's template run past 300 bytes: the cut is said, counted.
        QVERIFY2(r.err.contains(QRegularExpression(
                     "data: \\d+ of the 16 examples the run trains on \\([0-9.]+ %\\) are longer "
                     "than schedule.max_length \\(300 tokens\\)")),
                 qPrintable(r.err));
        RunStore db(m_db.toStdString());
        const auto run = onlyRun(db, "mix");
        QCOMPARE(run.status, RunStatus::Succeeded);
        const auto hashes = nlohmann::json::parse(run.datasetHashesJson);
        for (const char *task : {"alpaca.jsonl", "boolq.jsonl", "piqa.jsonl", "arc_easy", "piqa"})
            QVERIFY2(hashes.contains(task), task);
        QVERIFY(!db.series(run.id, "data/truncated_examples", 10).empty());

        std::set<std::string> general, downstream;
        EvalFilter finals;
        finals.finalOnly = true;
        for (const auto &e : db.evalResults(run.id, finals)) {
            (e.kind == TaskKind::General ? general : downstream).insert(e.task);
            QVERIFY(!e.taskVersion.empty() && !e.templateHash.empty());
            if (e.task == "piqa" && e.mode == slim::ScoringMode::LogLikelihood)
                QCOMPARE(e.n, int64_t(2)); // limit=2
        }
        QCOMPARE(general, std::set<std::string>{"arc_easy"});
        QCOMPARE(downstream, std::set<std::string>{"piqa"});
        // The base model's suite scores are cached under its hash, for every later run.
        const auto base = db.baseScoresOfModel(hashes["base_model"].get<std::string>());
        std::set<std::string> cached;
        for (const auto &b : base)
            cached.insert(b.key.task);
        QVERIFY(cached.count("arc_easy") && cached.count("piqa"));
        const auto before = base.size();
        s["name"] = "mix again";
        s["seed"] = 6;
        QCOMPARE(slimctl({"--quiet", "train", writeSpec(s, "again.json")}).code, 0);
        QCOMPARE(db.baseScoresOfModel(hashes["base_model"].get<std::string>()).size(), before);
    }

    void chatTemplateFormatsConversations()
    {
        auto s = spec(m_chatModel, {kData + "instruct/messages.json"});
        s["name"] = "chat";
        s["data"]["prompt_format"] = "auto"; // the model has a template: chat
        s["schedule"]["packing"] = false;
        auto r = slimctl({"--quiet", "train", writeSpec(s, "chat.json")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        RunStore db(m_db.toStdString());
        QCOMPARE(onlyRun(db, "chat").status, RunStatus::Succeeded);
    }

    void badDataStopsBeforeTraining()
    {
        const auto bad = m_dir.path().toStdString() + "/boolq_bad.jsonl";
        std::ofstream(bad) << "{\"question\": \"q\", \"passage\": \"p\", \"answer\": true}\n"
                              "{\"question\": \"q\", \"passage\": \"p\", \"answer\": \"yes\"}\n";
        auto s = spec(m_model, {bad});
        s["name"] = "bad";
        auto r = slimctl({"--quiet", "train", writeSpec(s, "bad.json")});
        QVERIFY(r.code != 0);
        QVERIFY2(r.err.contains("boolq_bad.jsonl:2: field 'answer' must be a boolean"),
                 qPrintable(r.err));
        s = spec(m_model, {kData + "piqa.jsonl"});
        s["name"] = "empty suite";
        const auto empty = m_dir.path().toStdString() + "/empty.jsonl";
        std::ofstream(empty) << "";
        s["eval"]["suites"] = {"arc_easy=" + empty};
        r = slimctl({"--quiet", "train", writeSpec(s, "empty.json")});
        QVERIFY(r.code != 0);
        QVERIFY2(r.err.contains("empty.jsonl"), qPrintable(r.err));
        // A harness task's name is not a training set: the error says what data.tasks takes.
        s = spec(m_model, {"boolq"});
        s["name"] = "not a file";
        r = slimctl({"--quiet", "train", writeSpec(s, "name.json")});
        QVERIFY(r.code != 0);
        QVERIFY2(r.err.contains("data.tasks: 'boolq' is neither a built-in downstream task"),
                 qPrintable(r.err));
        RunStore db(m_db.toStdString());
        for (const char *name : {"bad", "empty suite", "not a file"}) {
            const auto run = onlyRun(db, name);
            if (run.id != 0)
                QVERIFY(db.evalResults(run.id).empty());
        }
    }
};

} // namespace

QTEST_GUILESS_MAIN(TestSlimctlUserData)
#include "tst_slimctl_user_data_slow.moc"
