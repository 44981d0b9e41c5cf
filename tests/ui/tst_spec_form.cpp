// The New-run form and dialog against the engine's real schema, presets and validation: every
// expectation is read from runSpecSchema(), so the test follows the schema as it grows.
#include "forms/new_run_dialog.h"
#include "forms/spec_form.h"
#include "spec_service.h"
#include "tokenizer/builtin_tokenizer.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QToolButton>
#include <QtTest>

using namespace slim;
using namespace slim::services;
using slim::ui::NewRunDialog;
using slim::ui::SpecForm;

namespace {

QJsonArray schemaFields()
{
    return runSpecSchema().value("fields").toArray();
}

QJsonObject schemaField(const QString &path)
{
    for (const auto &f : schemaFields()) {
        if (f.toObject().value("path").toString() == path)
            return f.toObject();
    }
    return {};
}

bool appliesTo(const QJsonObject &field, const QString &method)
{
    const auto methods = field.value("methods").toArray();
    return methods.isEmpty() || methods.contains(method);
}

QJsonValue valueAt(const QJsonObject &spec, const QString &path)
{
    QJsonValue v = spec;
    for (const auto &part : path.split('.'))
        v = v.toObject().value(part);
    return v;
}

// Replaces a line edit's text the way a user does (select all, type), so textEdited fires.
void retype(QWidget *editor, const QString &text)
{
    auto *edit = qobject_cast<QLineEdit *>(editor);
    QVERIFY(edit);
    edit->setFocus();
    edit->selectAll();
    if (text.isEmpty())
        QTest::keyClick(edit, Qt::Key_Backspace);
    else
        QTest::keyClicks(edit, text);
}

// A tiny Llama folder as Hugging Face writes it: config.json and a bf16 model.safetensors
// (zero weights: the form reads headers only).
void writeTinyModelFolder(const QString &dir)
{
    QDir().mkpath(dir);
    QFile config(dir + "/config.json");
    QVERIFY(config.open(QIODevice::WriteOnly));
    config.write(R"({"architectures": ["LlamaForCausalLM"], "model_type": "llama",
        "vocab_size": 300, "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 1,
        "num_attention_heads": 4, "num_key_value_heads": 2, "torch_dtype": "bfloat16"})");
    config.close();
    slim::tok::writeBuiltinTokenizer(dir.toStdString());
    const QList<QPair<QString, QList<qint64>>> tensors = {
        {"model.embed_tokens.weight", {300, 32}}, {"lm_head.weight", {300, 32}},
        {"model.norm.weight", {32}},
        {"model.layers.0.input_layernorm.weight", {32}},
        {"model.layers.0.post_attention_layernorm.weight", {32}},
        {"model.layers.0.self_attn.q_proj.weight", {32, 32}},
        {"model.layers.0.self_attn.k_proj.weight", {16, 32}},
        {"model.layers.0.self_attn.v_proj.weight", {16, 32}},
        {"model.layers.0.self_attn.o_proj.weight", {32, 32}},
        {"model.layers.0.mlp.gate_proj.weight", {64, 32}},
        {"model.layers.0.mlp.up_proj.weight", {64, 32}},
        {"model.layers.0.mlp.down_proj.weight", {32, 64}}};
    QJsonObject header;
    qint64 offset = 0;
    for (const auto &[name, shape] : tensors) {
        qint64 n = 2;
        QJsonArray dims;
        for (auto d : shape) {
            n *= d;
            dims.append(d);
        }
        header.insert(name, QJsonObject{{"dtype", "BF16"}, {"shape", dims},
                                        {"data_offsets", QJsonArray{offset, offset + n}}});
        offset += n;
    }
    auto text = QJsonDocument(header).toJson(QJsonDocument::Compact);
    text.append(QByteArray((8 - text.size() % 8) % 8, ' '));
    QFile weights(dir + "/model.safetensors");
    QVERIFY(weights.open(QIODevice::WriteOnly));
    const quint64 size = quint64(text.size());
    weights.write(reinterpret_cast<const char *>(&size), 8);
    weights.write(text);
    weights.write(QByteArray(offset, '\0'));
}

QString issuesText(const NewRunDialog &dialog)
{
    QStringList lines;
    for (int i = 0; i < dialog.issueList()->count(); ++i)
        lines << dialog.issueList()->item(i)->text();
    return lines.join('\n');
}

QString presetWithMethod(const QString &method)
{
    for (const auto &name : specPresetNames()) {
        if (valueAt(presetSpec(name), "adapter.method").toString() == method)
            return name;
    }
    return {};
}

} // namespace

class TestSpecForm : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        // A workbench home of its own, without the built-in model: the preflight texts do not
        // depend on what the machine's home holds.
        QVERIFY(m_home.isValid());
        qputenv("XDG_DATA_HOME", m_home.path().toUtf8());
        qputenv("SLIM_BUILTIN_MODEL", (m_home.path() + "/builtin-v1").toUtf8());
    }

    void oneEditorPerApplicableField()
    {
        SpecForm form;
        const QString method = form.method();
        QCOMPARE(method, schemaField("adapter.method").value("default").toString());
        int shown = 0, hidden = 0;
        for (const auto &value : schemaFields()) {
            const auto field = value.toObject();
            const QString path = field.value("path").toString();
            const QString type = field.value("type").toString();
            QWidget *editor = form.editor(path);
            QVERIFY2(editor, qPrintable(path));
            // The editor kind follows the type; choices come from the schema.
            if (type == "boolean") {
                QVERIFY2(qobject_cast<QCheckBox *>(editor), qPrintable(path));
            } else if (type == "choice") {
                auto *combo = qobject_cast<QComboBox *>(editor);
                QVERIFY2(combo, qPrintable(path));
                QCOMPARE(combo->count(), field.value("choices").toArray().size());
            } else {
                QVERIFY2(qobject_cast<QLineEdit *>(editor), qPrintable(path));
            }
            QVERIFY2(editor->toolTip().contains(field.value("help").toString().toHtmlEscaped()),
                     qPrintable(path));
            const bool applies = appliesTo(field, method);
            QCOMPARE(editor->isVisibleTo(&form), applies);
            QCOMPARE(valueAt(form.spec(), path).isUndefined(), !applies);
            (applies ? shown : hidden)++;
        }
        QCOMPARE(form.shownPaths().size(), shown);
        QVERIFY(hidden > 0); // some adapter fields belong to other methods only
        QVERIFY(!appliesTo(schemaField("adapter.top_p"), method));
        QVERIFY(!form.editor("adapter.top_p")->isVisibleTo(&form));
        // Exactly one visible editor per shown field, nothing else posing as one.
        int visibleEditors = 0;
        for (auto *w : form.findChildren<QWidget *>("editor"))
            visibleEditors += w->isVisibleTo(&form) ? 1 : 0;
        QCOMPARE(visibleEditors, shown);
    }

    void switchingMethodShowsItsFieldsAndDefaults()
    {
        SpecForm form;
        QSignalSpy changed(&form, &SpecForm::specChanged);
        const auto loraDefaults
            = runSpecSchema().value("method_defaults").toObject().value("lora").toObject();
        const qint64 loraRank = loraDefaults.value("lora_rank").toInteger();
        auto *rank = qobject_cast<QLineEdit *>(form.editor("adapter.lora_rank"));
        QVERIFY(rank->text() != QString::number(loraRank)); // slim's own default differs

        auto *methodCombo = qobject_cast<QComboBox *>(form.editor("adapter.method"));
        methodCombo->setCurrentText("lora");
        QCOMPARE(form.method(), QString("lora"));
        QVERIFY(changed.count() >= 1);
        QCOMPARE(rank->text(), QString::number(loraRank));
        QVERIFY(appliesTo(schemaField("adapter.num_identity_experts"), "slim"));
        QVERIFY(!form.editor("adapter.num_identity_experts")->isVisibleTo(&form));
        const auto spec = form.spec();
        QVERIFY(valueAt(spec, "adapter.num_identity_experts").isUndefined());
        for (auto it = loraDefaults.begin(); it != loraDefaults.end(); ++it)
            QCOMPARE(valueAt(spec, "adapter." + it.key()).toVariant(), it.value().toVariant());
        QVERIFY2(validateSpec(spec).isEmpty(), qPrintable(form.formMessage()));
        QVERIFY(form.valid());
    }

    void defaultFormIsTheEnginesDefaultSpec()
    {
        SpecForm form;
        const auto spec = form.spec();
        QVERIFY(form.valid());
        QVERIFY(validateSpec(spec).isEmpty());
        QCOMPARE(normalisedSpec(spec), spec);
        // Same as what the engine fills in for a spec that names only the method.
        QJsonObject minimal {{"adapter", QJsonObject {{"method", form.method()}}}};
        QCOMPARE(spec, normalisedSpec(minimal));
    }

    void inlineMessagesBlockSubmitUntilFixed()
    {
        NewRunDialog dialog;
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        SpecForm *form = dialog.form();
        QVERIFY(dialog.startButton()->isEnabled());
        QVERIFY(dialog.queueButton()->isEnabled());

        retype(form->editor("schedule.lr"), "-1");
        QVERIFY(form->fieldMessage("schedule.lr").contains("-1"));
        auto *message = form->findChild<QWidget *>("schedule.lr")->findChild<QLabel *>("message");
        QVERIFY(message->isVisible());
        QVERIFY(!form->valid());
        QVERIFY(!dialog.startButton()->isEnabled());
        QVERIFY(!dialog.queueButton()->isEnabled());
        QVERIFY(issuesText(dialog).contains("schedule.lr"));
        QVERIFY(form->fieldMessage("schedule.steps").isEmpty());

        retype(form->editor("schedule.lr"), "1e-6"); // scientific notation is typeable
        QVERIFY2(form->fieldMessage("schedule.lr").isEmpty(),
                 qPrintable(form->fieldMessage("schedule.lr")));
        QCOMPARE(valueAt(form->spec(), "schedule.lr").toDouble(), 1e-6);
        QVERIFY(dialog.startButton()->isEnabled());
        QVERIFY(dialog.queueButton()->isEnabled());
        QVERIFY(!dialog.issueList()->isVisible());

        // An integer below its minimum, and a cross-field rule only the engine knows.
        retype(form->editor("schedule.steps"), "-1");
        QVERIFY(!form->fieldMessage("schedule.steps").isEmpty());
        retype(form->editor("schedule.steps"), "10");
        retype(form->editor("schedule.batch_size"), "6");
        retype(form->editor("schedule.grad_accum"), "4");
        QVERIFY(form->fieldMessage("schedule.grad_accum").contains("multiple"));
        QVERIFY(!dialog.queueButton()->isEnabled());
        retype(form->editor("schedule.grad_accum"), "3");
        QVERIFY(form->valid());
        QVERIFY(dialog.queueButton()->isEnabled());
    }

    void presetsLoadExactly()
    {
        NewRunDialog dialog;
        QVERIFY(specPresetNames().contains("builtin-slim"));
        const auto defaults = normalisedSpec(dialog.form()->spec());
        for (const auto &name : specPresetNames()) {
            QVERIFY(dialog.selectPreset(name));
            QCOMPARE(dialog.presetCombo()->currentText(), name);
            QVERIFY2(dialog.form()->valid(), qPrintable(name + ": " + issuesText(dialog)));
            QCOMPARE(normalisedSpec(dialog.form()->spec()), normalisedSpec(presetSpec(name)));
            // The JSON tab shows the same spec.
            const auto shown = QJsonDocument::fromJson(dialog.jsonEditor()->toPlainText().toUtf8());
            QCOMPARE(normalisedSpec(shown.object()), normalisedSpec(presetSpec(name)));
        }
        QVERIFY(dialog.selectPreset("builtin-slim"));
        QVERIFY(normalisedSpec(dialog.form()->spec()) != defaults);
        QCOMPARE(normalisedSpec(dialog.form()->spec()), normalisedSpec(presetSpec("builtin-slim")));
        // Editing makes the spec custom again.
        retype(dialog.form()->editor("schedule.steps"), "9");
        QCOMPARE(dialog.presetCombo()->currentIndex(), 0);
    }

    void jsonTabAndFormStayInSync()
    {
        NewRunDialog dialog;
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        dialog.tabs()->setCurrentIndex(1);
        QPlainTextEdit *json = dialog.jsonEditor();
        json->setFocus();
        json->moveCursor(QTextCursor::End);
        QTest::keyClicks(json, ",");
        const int lines = json->document()->blockCount();
        QVERIFY2(dialog.jsonError().contains(QString("Line %1").arg(lines))
                     || dialog.jsonError().contains(QString("Line %1").arg(lines - 1)),
                 qPrintable(dialog.jsonError()));
        QVERIFY(!dialog.startButton()->isEnabled());
        QVERIFY(!dialog.queueButton()->isEnabled());
        QVERIFY(issuesText(dialog).contains("Line"));

        json->selectAll();
        const QString typed
            = R"({"name": "typed", "adapter": {"method": "slim"}, "schedule": {"steps": 7}})";
        QTest::keyClicks(json, typed);
        QVERIFY2(dialog.jsonError().isEmpty(), qPrintable(dialog.jsonError()));
        QCOMPARE(qobject_cast<QLineEdit *>(dialog.form()->editor("schedule.steps"))->text(),
                 QString("7"));
        QVERIFY(dialog.startButton()->isEnabled());
        QCOMPARE(json->toPlainText(), typed); // the user's text is not rewritten under them

        // A field the method does not use is reported, not dropped.
        json->selectAll();
        QTest::keyClicks(json, R"({"adapter": {"method": "lora", "num_clusters": 4}})");
        QVERIFY(issuesText(dialog).contains("adapter.num_clusters"));
        QVERIFY(!dialog.startButton()->isEnabled());

        // Form edits flow back into the text.
        dialog.tabs()->setCurrentIndex(0);
        retype(dialog.form()->editor("schedule.steps"), "42");
        const auto shown = QJsonDocument::fromJson(json->toPlainText().toUtf8()).object();
        QCOMPARE(valueAt(shown, "schedule.steps").toInteger(), 42);
        QCOMPARE(valueAt(shown, "adapter.method").toString(), QString("lora"));
        QVERIFY(valueAt(shown, "adapter.num_clusters").isUndefined());
        QVERIFY(dialog.startButton()->isEnabled());
    }

    void duplicateAndEditRoundTrips()
    {
        const QString preset = presetWithMethod("lora");
        QVERIFY(!preset.isEmpty());
        QJsonObject input = normalisedSpec(presetSpec(preset));
        input.insert("name", "my lora");
        input.insert("seed", QJsonValue(qint64(9000000000000001))); // beyond double's 'g' text
        const QString text = QString::fromUtf8(QJsonDocument(input).toJson());

        NewRunDialog dialog;
        dialog.setSpecJson(text);
        QCOMPARE(dialog.form()->method(), QString("lora"));
        QVERIFY2(dialog.form()->valid(), qPrintable(issuesText(dialog)));
        QVERIFY(dialog.startButton()->isEnabled());
        auto out = normalisedSpec(dialog.form()->spec());
        QCOMPARE(out.value("name").toString(), QString("my lora (copy)"));
        out.insert("name", "my lora");
        QCOMPARE(out, normalisedSpec(input));
        const auto submitted = QJsonDocument::fromJson(dialog.specJson().toUtf8()).object();
        QCOMPARE(submitted.value("name").toString(), QString("my lora (copy)"));

        dialog.setSpecJson(text, "explicit");
        QCOMPARE(dialog.form()->spec().value("name").toString(), QString("explicit"));
    }

    void usersFilesAndProportions()
    {
        NewRunDialog dialog;
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        SpecForm *form = dialog.form();
        QVERIFY(schemaField("data.tasks").value("files").toBool());
        auto *row = form->editor("data.tasks")->parentWidget();
        QVERIFY(row->findChild<QToolButton *>("addFiles"));
        retype(form->editor("data.tasks"), "data/boolq.jsonl, data/piqa.jsonl");
        retype(form->editor("data.proportions"), "2, 0.5");
        QVERIFY2(form->valid(), qPrintable(issuesText(dialog)));
        const auto proportions = valueAt(form->spec(), "data.proportions").toArray();
        QCOMPARE(proportions.size(), 2);
        QCOMPARE(proportions[1].toDouble(), 0.5);
        retype(form->editor("data.proportions"), "2, x1e"); // the validator takes no letter x
        QVERIFY2(form->fieldMessage("data.proportions").contains("'1e' is not a number"),
                 qPrintable(form->fieldMessage("data.proportions")));
        retype(form->editor("data.proportions"), "1");
        QVERIFY2(form->fieldMessage("data.proportions").contains("1 weights for 2 tasks"),
                 qPrintable(form->fieldMessage("data.proportions")));
        QVERIFY(!dialog.startButton()->isEnabled());
        retype(form->editor("data.proportions"), "");
        retype(form->editor("eval.suites"), "mmlu=test.jsonl;shots=five");
        QVERIFY(form->fieldMessage("eval.suites").contains("shots must be an integer"));
    }

    void baseModelFolderIsDescribedWithItsMemory()
    {
        QTemporaryDir dir;
        writeTinyModelFolder(dir.path() + "/tiny-llama");
        NewRunDialog dialog;
        QVERIFY(schemaField("base_model").value("folder").toBool());
        auto *row = dialog.form()->editor("base_model")->parentWidget();
        QVERIFY(row->findChild<QToolButton *>("browse"));
        QVERIFY(dialog.preflightLabel()->text().contains("built-in model"));
        QVERIFY(dialog.preflightLabel()->text().contains("Memory: Training needs about"));

        retype(dialog.form()->editor("base_model"), dir.path() + "/tiny-llama");
        const auto text = dialog.preflightLabel()->text();
        QVERIFY2(text.contains("LlamaForCausalLM, 0.03 M parameters, bfloat16, 1 file"), qPrintable(text));
        QVERIFY2(text.contains("tokenizer: 259 tokens"), qPrintable(text));
        QVERIFY2(text.contains("Memory: Training needs about") && text.contains("available on cpu"),
                 qPrintable(text));
        QVERIFY(dialog.preflightLabel()->styleSheet().isEmpty());

        // A folder that is no model is named with what is missing, in red.
        retype(dialog.form()->editor("base_model"), dir.path() + "/nothing");
        QVERIFY2(dialog.preflightLabel()->text().contains("config.json: file not found"),
                 qPrintable(dialog.preflightLabel()->text()));
        QVERIFY(dialog.preflightLabel()->styleSheet().contains("#c62828"));

        // A run that cannot fit says so before it starts.
        retype(dialog.form()->editor("base_model"), dir.path() + "/tiny-llama");
        retype(dialog.form()->editor("schedule.max_length"), "1000000");
        QVERIFY2(dialog.preflightLabel()->text().contains("more than the"),
                 qPrintable(dialog.preflightLabel()->text()));
        QVERIFY(dialog.preflightLabel()->styleSheet().contains("#c62828"));
    }

    void queueAndStartSubmit()
    {
        NewRunDialog dialog;
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QSignalSpy submitted(&dialog, &NewRunDialog::submitted);
        dialog.tagsEdit()->setFocus();
        QTest::keyClicks(dialog.tagsEdit(), "ablation, mds,ablation");
        retype(dialog.form()->editor("schedule.steps"), "5");
        QTest::mouseClick(dialog.queueButton(), Qt::LeftButton);
        QCOMPARE(submitted.count(), 1);
        const auto args = submitted.takeFirst();
        const auto spec = QJsonDocument::fromJson(args.at(0).toString().toUtf8()).object();
        QCOMPARE(valueAt(spec, "schedule.steps").toInteger(), 5);
        QVERIFY(validateSpec(spec).isEmpty());
        QCOMPARE(args.at(1).toStringList(), QStringList({"ablation", "mds"}));
        QCOMPARE(args.at(2).toBool(), false);
        QCOMPARE(dialog.result(), int(QDialog::Accepted));

        NewRunDialog second;
        QSignalSpy started(&second, &NewRunDialog::submitted);
        second.show();
        QVERIFY(QTest::qWaitForWindowExposed(&second));
        retype(second.form()->editor("schedule.lr"), "-1");
        QTest::mouseClick(second.startButton(), Qt::LeftButton); // disabled: nothing happens
        QCOMPARE(started.count(), 0);
        retype(second.form()->editor("schedule.lr"), "0.001");
        QVERIFY(second.startButton()->isDefault());
        QApplication::setActiveWindow(&second);
        QVERIFY(QTest::qWaitForWindowActive(&second));
        QTest::keyClick(second.form()->editor("schedule.lr"), Qt::Key_Return,
                        Qt::ControlModifier); // Ctrl+Return = Start now
        QCOMPARE(started.count(), 1);
        QCOMPARE(started.first().at(2).toBool(), true);
    }

private:
    QTemporaryDir m_home;
};

QTEST_MAIN(TestSpecForm)
#include "tst_spec_form.moc"
