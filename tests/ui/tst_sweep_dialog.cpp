// The New-sweep dialog against the real schema, presets and sweep validation: the run count and
// names as you type, problems naming their axis values, values typed as people type them,
// a sweep file's round trip, and what it submits.
#include "forms/spec_form.h"
#include "forms/sweep_dialog.h"
#include "test_artifacts.h"

#include <QApplication>
#include <QComboBox>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

using slim::ui::SweepDialog;

namespace {

void setValues(SweepDialog &dialog, int row, const QString &text)
{
    dialog.axesTable()->item(row, 1)->setText(text);
}

QStringList items(const QListWidget *list)
{
    QStringList out;
    for (int i = 0; i < list->count(); ++i)
        out << list->item(i)->text();
    return out;
}

} // namespace

class TestSweepDialog : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parsesValuesAsPeopleTypeThem()
    {
        QCOMPARE(SweepDialog::parseValues("1e-4, 2e-4"), (QJsonArray {0.0001, 0.0002}));
        QCOMPARE(SweepDialog::parseValues(" slim,lora "), (QJsonArray {"slim", "lora"}));
        QCOMPARE(SweepDialog::parseValues("true, 8"), (QJsonArray {true, 8}));
        QCOMPARE(SweepDialog::parseValues("[[\"a\", \"b\"], [\"c\"]]"),
                 (QJsonArray {QJsonArray {"a", "b"}, QJsonArray {"c"}}));
        QCOMPARE(SweepDialog::parseValues(""), QJsonArray {});
    }

    void countsAndNamesTheRunsAsYouType()
    {
        SweepDialog dialog;
        // The default: the built-in SLIM preset over two methods and three seeds.
        QCOMPARE(dialog.axesTable()->rowCount(), 2);
        QVERIFY2(dialog.countLabel()->text().contains("6 run"),
                 qPrintable(dialog.countLabel()->text()));
        QVERIFY(dialog.startButton()->isEnabled());
        QCOMPARE(dialog.runList()->count(), 6);
        QCOMPARE(dialog.runList()->item(0)->text(), QStringLiteral("0  sweep method=slim seed=1"));
        dialog.nameEdit()->setText("rank");
        dialog.addAxis("adapter.lora_rank", "4, 8");
        QVERIFY(dialog.countLabel()->text().contains("12 run"));
        QCOMPARE(dialog.runList()->item(0)->text(),
                 QStringLiteral("0  rank lora_rank=4 method=slim seed=1"));
    }

    void namesTheAxisValuesOfAnInvalidCombination()
    {
        SweepDialog dialog;
        dialog.addAxis("schedule.lr", "0.001, -1");
        QVERIFY(!dialog.startButton()->isEnabled());
        QVERIFY(!dialog.queueButton()->isEnabled());
        const auto problems = items(dialog.issueList()).join('\n');
        QVERIFY2(problems.contains("lr=-1") && problems.contains("schedule.lr"),
                 qPrintable(problems));
        QVERIFY(dialog.countLabel()->text().contains("Not valid"));
        setValues(dialog, 2, "0.001, 0.002");
        QVERIFY(dialog.startButton()->isEnabled());
        // A field only some methods have is refused on the others, naming one.
        dialog.addAxis("adapter.num_clusters", "2, 4");
        const auto text = items(dialog.issueList()).join('\n');
        QVERIFY2(text.contains("method=lora") && text.contains("does not apply to method lora"),
                 qPrintable(text));
        // A picture for people: the form with its problem list.
        QTemporaryDir dir;
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QVERIFY(dialog.grab().save(slim::testing::artifactPath(dir, "sweep-dialog.png")));
    }

    void loadsWhatItSaves()
    {
        SweepDialog first;
        first.nameEdit()->setText("saved");
        first.addAxis("schedule.lr", "0.0001, 0.0002");
        const auto sweep = first.sweep();
        SweepDialog second;
        QCOMPARE(second.setSweep(sweep), QString());
        QCOMPARE(second.sweep(), sweep);
        QCOMPARE(second.runList()->count(), first.runList()->count());
        // A preset named as the base is loaded into the form.
        auto byPreset = sweep;
        byPreset["base"] = "builtin-lora";
        QCOMPARE(second.setSweep(byPreset), QString());
        QCOMPARE(second.baseForm()->method(), QStringLiteral("lora"));
        byPreset["base"] = "no-such-preset.json";
        QVERIFY(second.setSweep(byPreset).contains("neither a preset"));
    }

    void submitsTheSweepWithHowManyRunsAtOnce()
    {
        SweepDialog dialog;
        dialog.concurrencySpin()->setValue(dialog.concurrencySpin()->maximum());
        QSignalSpy submitted(&dialog, &SweepDialog::submitted);
        dialog.queueButton()->click();
        QCOMPARE(submitted.size(), 1);
        const auto json = QJsonDocument::fromJson(submitted[0][0].toString().toUtf8()).object();
        QCOMPARE(json, dialog.sweep());
        QCOMPARE(submitted[0][1].toBool(), false);
        QCOMPARE(submitted[0][2].toInt(), dialog.concurrencySpin()->maximum());
    }
};

QTEST_MAIN(TestSweepDialog)
#include "tst_sweep_dialog.moc"
