// The same run shows the same numbers everywhere. Two runs are recorded by the real recorder
// with every kind of task the engine scores (a choice task in both scoring modes, a choice task
// in label mode only, an exact-match task, a plain-text task in bits per byte; general and
// downstream; probe and final evaluations; base-model scores in the cache). Then:
//   - the runs table (stored summary, RunTableModel's text),
//   - the run and compare views' scores (services::primaryScores / tradeoff of the detail
//     RunCatalog loads) and the compare view's warnings,
//   - `slimctl compare --json`, its text table and its methods x tasks table (--format md)
// must agree number for number. The rules themselves are pinned in tests/scores.
#include "compare/compare_view.h"
#include "compare/compare_warnings.h"
#include "compare/results_table_panel.h"
#include "run_catalog.h"
#include "run_scores.h"
#include "runs/run_table_model.h"

#include "recorder/run_recorder.h"

#include <QProcess>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>
#include <nlohmann/json.hpp>

using namespace slim;

namespace {

engine::EvalRecord record(std::int64_t step, const std::string &task, bool general,
                          const std::string &metric, ScoringMode mode, double value, bool isFinal)
{
    engine::EvalRecord r;
    r.step = step;
    r.task = task;
    r.general = general;
    r.metric = metric;
    r.mode = mode;
    r.value = value;
    r.stderr_ = 0.01;
    r.n = isFinal ? 200 : 64;
    r.split = isFinal ? "test" : "probe64-2";
    r.template_hash = "tpl-" + task;
    r.task_version = "1:abc";
    r.is_final = isFinal;
    r.floor = 0.25;
    return r;
}

// One evaluation of every task kind at `step`; `shift` makes the runs differ.
std::vector<engine::EvalRecord> evaluation(std::int64_t step, bool isFinal, double shift)
{
    const auto LL = ScoringMode::LogLikelihood, Labels = ScoringMode::LabelLogits;
    return {
        record(step, "capitals", true, "acc", LL, 0.61 - shift, isFinal),
        record(step, "capitals", true, "acc_norm", LL, 0.58 - shift, isFinal),
        record(step, "capitals", true, "acc", Labels, 0.47 - shift, isFinal),
        record(step, "continents", true, "acc", Labels, 0.52 + shift, isFinal),
        record(step, "recall", true, "exact_match", ScoringMode::ExactMatch, 0.33, isFinal),
        record(step, "brown", true, "bits_per_byte", ScoringMode::BitsPerByte, 3.1 + shift, isFinal),
        record(step, "name_gender", false, "acc", LL, 0.71 + shift, isFinal),
        record(step, "reversal", false, "exact_match", ScoringMode::ExactMatch, 0.12 + shift,
               isFinal),
    };
}

// The base model's scores, as the evaluator's base-eval phase caches them.
void cacheBaseScores(store::RunRecorder &recorder)
{
    for (const std::string split : {"test", "probe64-2"}) {
        const std::int64_t n = split == "test" ? 200 : 64;
        for (const auto &r : evaluation(0, split == "test", 0)) {
            if (!r.general)
                continue;
            const double base = r.metric == "bits_per_byte" ? 2.6 : r.value + 0.21;
            recorder.put({"base-model", r.task, split, r.task_version},
                         {{r.metric, r.mode, r.template_hash, 0, base, 0.02, n}});
        }
    }
}

std::int64_t recordRun(store::RunStore &db, const std::string &name, double shift)
{
    store::RunRecord run;
    run.name = name;
    run.method = "slim";
    run.specJson = nlohmann::json({{"method", "slim"}, {"schedule", {{"lr", 1e-4 + shift}}}}).dump();
    const auto id = db.createRun(run);
    store::RunRecorder recorder(db, id);
    recorder.started();
    engine::RunPrepared prepared;
    prepared.model_hash = "base-model";
    recorder.prepared(prepared);
    cacheBaseScores(recorder);
    recorder.evalResults(evaluation(50, false, shift / 2));
    recorder.evalResults(evaluation(100, true, shift));
    recorder.finished({});
    return id;
}

} // namespace

class TestSameNumbers : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_db;
    std::vector<std::int64_t> m_ids;

    services::RunDetailPtr detailOf(services::RunCatalog &catalog, std::int64_t id)
    {
        QSignalSpy loaded(&catalog, &services::RunCatalog::detailLoaded);
        catalog.requestDetail(id);
        if (!loaded.wait(10000))
            return {};
        return loaded.last().at(0).value<services::RunDetailPtr>();
    }

    QByteArray slimctl(const QStringList &args)
    {
        QProcess p;
        p.start(QStringLiteral(SLIMCTL_PATH),
                QStringList {QStringLiteral("--db"), m_db} + args);
        if (!p.waitForFinished(60000) || p.exitCode() != 0)
            return {};
        return p.readAllStandardOutput();
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_db = m_dir.filePath(QStringLiteral("runs.sqlite"));
        store::RunStore db(m_db.toStdString());
        m_ids = {recordRun(db, "first", 0.0), recordRun(db, "second", 0.05)};
    }

    void windowAndCliAgree()
    {
        services::RunCatalog catalog(m_db);
        const auto cliText = slimctl({QStringLiteral("--json"), QStringLiteral("compare"),
                                      QString::number(m_ids[0]), QString::number(m_ids[1])});
        QVERIFY2(!cliText.isEmpty(), "slimctl compare --json failed");
        const auto cli = nlohmann::json::parse(cliText.toStdString());
        QCOMPARE(cli["runs"].size(), size_t(2));

        std::vector<services::RunDetailPtr> details;
        for (std::size_t i = 0; i < m_ids.size(); ++i) {
            const auto detail = detailOf(catalog, m_ids[i]);
            QVERIFY(detail);
            details.push_back(detail);
            const auto &run = cli["runs"][i];

            // Headline numbers: the stored summary (runs table), the views' final trade-off
            // point and slimctl are one number each.
            const auto final = services::tradeoff(*detail).back();
            QVERIFY(final.isFinal);
            QCOMPARE(detail->record.downstreamAvg, final.downstream);
            QCOMPARE(detail->record.generalAvg, final.general);
            QCOMPARE(detail->record.forgettingAvg, final.forgetting);
            QCOMPARE(run["downstream_avg"].get<double>(), *final.downstream);
            QCOMPARE(run["general_avg"].get<double>(), *final.general);
            QCOMPARE(run["forgetting_avg"].get<double>(), *final.forgetting);

            // Every task kind: the primary score, the base model's, and forgetting.
            const auto tasks = services::primaryScores(*detail);
            QCOMPARE(tasks.size(), size_t(6));
            for (const auto &task : tasks) {
                const auto *p = task.finalPoint();
                QVERIFY(p);
                const char *suite = task.kind == store::TaskKind::General ? "general"
                                                                          : "downstream";
                const auto &score = run[suite][task.task];
                QVERIFY2(!score.is_null(), task.task.c_str());
                QCOMPARE(score["value"].get<double>(), p->value);
                QCOMPARE(score["metric"].get<std::string>(), task.metric);
                QCOMPARE(score["mode"].get<std::string>(),
                         std::string(scoringModeName(task.mode)));
                if (task.kind == store::TaskKind::General) {
                    QVERIFY2(p->base && p->forgetting, task.task.c_str());
                    QCOMPARE(cli["base"][suite][task.task]["value"].get<double>(), *p->base);
                    QCOMPARE(run["forgetting"][task.task].get<double>(), *p->forgetting);
                }
            }
        }
        // The label-only task is scored by label logits in both; bits per byte is never
        // averaged: forgetting averages capitals, continents and recall.
        QCOMPARE(details[0]->record.forgettingAvg.has_value(), true);

        // The compare view's warnings are slimctl's.
        QStringList cliWarnings;
        for (const auto &w : cli["warnings"])
            cliWarnings << QString::fromStdString(w.get<std::string>());
        QCOMPARE(ui::comparabilityWarnings(details), cliWarnings);

        // The runs table's text is slimctl's text table's.
        ui::RunTableModel model(&catalog);
        QSignalSpy listed(&catalog, &services::RunCatalog::runsListed);
        catalog.refresh();
        QVERIFY(listed.wait(10000));
        model.setRuns(listed.last().at(0).value<services::RunSummaries>());
        QCOMPARE(model.rowCount(), 2);
        const auto table = QString::fromUtf8(
            slimctl({QStringLiteral("compare"), QString::number(m_ids[0]),
                     QString::number(m_ids[1])}));
        // And the methods x tasks table (one seed each: the values themselves).
        const auto paperTable = QString::fromUtf8(
            slimctl({QStringLiteral("compare"), QStringLiteral("--format"), QStringLiteral("md"),
                     QString::number(m_ids[0]), QString::number(m_ids[1])}));
        QVERIFY(paperTable.contains(QStringLiteral("| first |"))
                && paperTable.contains(QStringLiteral("| second |")));
        // The compare view exports the same table, byte for byte, in every format.
        ui::CompareView compare;
        compare.setRuns({details[0], details[1]});
        QCOMPARE(compare.resultsTable(scores::TableFormat::Markdown), paperTable);
        // Its "Table" tab shows the same rows, cell for cell (after the seeds column).
        const auto *shown = compare.resultsTablePanel()->table();
        // the base model, one row per run, the runs' own standard errors
        QCOMPARE(shown->rowCount(), 4);
        for (int row = 0; row < shown->rowCount(); ++row) {
            QStringList cells {shown->item(row, 0)->text()};
            for (int column = 2; column < shown->columnCount(); ++column)
                cells << shown->item(row, column)->text();
            const auto line = QStringLiteral("| %1 |").arg(cells.join(QStringLiteral(" | ")));
            QVERIFY2(paperTable.contains(line), qPrintable(line + QStringLiteral("\n") + paperTable));
        }
        for (const auto &[format, name] :
             {std::pair {scores::TableFormat::Csv, QStringLiteral("csv")},
              std::pair {scores::TableFormat::Latex, QStringLiteral("latex")}}) {
            QCOMPARE(compare.resultsTable(format),
                     QString::fromUtf8(slimctl({QStringLiteral("compare"),
                                                QStringLiteral("--format"), name,
                                                QString::number(m_ids[0]),
                                                QString::number(m_ids[1])})));
        }
        for (int row = 0; row < 2; ++row) {
            for (int column : {ui::RunTableModel::DownstreamColumn,
                               ui::RunTableModel::GeneralColumn,
                               ui::RunTableModel::ForgettingColumn}) {
                const auto text = model.index(row, column).data().toString();
                QVERIFY(!text.isEmpty());
                QVERIFY2(table.contains(text), qPrintable(text + QStringLiteral(" in\n") + table));
                QVERIFY2(paperTable.contains(text),
                         qPrintable(text + QStringLiteral(" in\n") + paperTable));
            }
        }
    }

    void differentSetupsWarnAlike()
    {
        // A third run scored capitals by label logits only and with 5 shots elsewhere.
        {
            store::RunStore db(m_db.toStdString());
            store::RunRecord run;
            run.name = "third";
            run.method = "lora";
            const auto id = db.createRun(run);
            store::RunRecorder recorder(db, id);
            engine::RunPrepared prepared;
            prepared.model_hash = "other-model";
            recorder.prepared(prepared);
            auto records = evaluation(100, true, 0.1);
            for (auto &r : records) {
                if (r.task == "capitals" && r.mode == ScoringMode::LogLikelihood)
                    r.mode = ScoringMode::ExactMatch;
                if (r.task == "reversal")
                    r.shots = 5;
            }
            recorder.evalResults(records);
            m_ids.push_back(id);
        }
        services::RunCatalog catalog(m_db);
        std::vector<services::RunDetailPtr> details;
        for (auto id : m_ids)
            details.push_back(detailOf(catalog, id));
        const auto window = ui::comparabilityWarnings(details);
        const auto cli = nlohmann::json::parse(
            slimctl({QStringLiteral("--json"), QStringLiteral("compare"),
                     QString::number(m_ids[0]), QString::number(m_ids[1]),
                     QString::number(m_ids[2])})
                .toStdString());
        QStringList cliWarnings;
        for (const auto &w : cli["warnings"])
            cliWarnings << QString::fromStdString(w.get<std::string>());
        QCOMPARE(window, cliWarnings);
        QCOMPARE(window.size(), 3); // scoring mode, shots, base model
        QVERIFY(window.join(QLatin1Char('\n')).contains(QStringLiteral("third: other-model")));
    }
};

QTEST_MAIN(TestSameNumbers)
#include "tst_same_numbers.moc"
