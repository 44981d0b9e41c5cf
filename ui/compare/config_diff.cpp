#include "config_diff.h"

#include "common/error_box.h"
#include "common/table_export.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QStandardItemModel>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace slim::ui {

namespace {

const QString kAbsent = QStringLiteral("—");

QString numberText(double value)
{
    // Shortest round-trip digits, written the way spec files write them: 0.0005, not Qt's JSON
    // "5e-04"; the exponent form only where plain digits get long.
    const double magnitude = std::abs(value);
    const bool plain = value == 0 || (magnitude >= 1e-4 && magnitude < 1e15);
    return QString::number(value, plain ? 'f' : 'g', QLocale::FloatingPointShortest);
}

QString scalarText(const QJsonValue &value, bool quoteStrings = false)
{
    if (value.isString()) {
        if (!quoteStrings)
            return value.toString();
        const auto text = QJsonDocument(QJsonArray {value}).toJson(QJsonDocument::Compact);
        return QString::fromUtf8(text.mid(1, text.size() - 2)); // JSON escapes, in quotes
    }
    if (value.isDouble())
        return numberText(value.toDouble());
    if (value.isBool())
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    return QStringLiteral("null");
}

void flatten(const QJsonValue &value, const QString &path, QMap<QString, QString> &out)
{
    if (value.isObject()) {
        const auto object = value.toObject();
        if (object.isEmpty())
            out.insert(path, QStringLiteral("{}"));
        for (auto it = object.begin(); it != object.end(); ++it)
            flatten(it.value(), path.isEmpty() ? it.key() : path + QLatin1Char('.') + it.key(),
                    out);
        return;
    }
    if (value.isArray()) {
        const auto array = value.toArray();
        const bool plain = std::none_of(array.begin(), array.end(), [](const QJsonValue &v) {
            return v.isObject() || v.isArray();
        });
        // A list of task names reads best whole; a list of objects differs field by field.
        if (plain) {
            QStringList items;
            for (const auto &item : array)
                items << scalarText(item, true);
            out.insert(path, QLatin1Char('[') + items.join(QLatin1Char(',')) + QLatin1Char(']'));
            return;
        }
        for (int i = 0; i < array.size(); ++i)
            flatten(array.at(i), path + QStringLiteral("[%1]").arg(i), out);
        return;
    }
    out.insert(path, scalarText(value));
}

} // namespace

QMap<QString, QString> flattenSpec(const std::string &specJson)
{
    QMap<QString, QString> out;
    QJsonParseError error;
    const auto doc = QJsonDocument::fromJson(QByteArray::fromStdString(specJson), &error);
    if (error.error != QJsonParseError::NoError) {
        out.insert(QStringLiteral("(spec)"),
                   QStringLiteral("unreadable: %1 at offset %2")
                       .arg(error.errorString())
                       .arg(error.offset));
        return out;
    }
    if (doc.isObject())
        flatten(doc.object(), {}, out);
    else if (doc.isArray())
        flatten(doc.array(), QStringLiteral("(spec)"), out);
    return out;
}

ConfigDiffPanel::ConfigDiffPanel(QWidget *parent)
    : QWidget(parent)
    , m_runA(new QComboBox(this))
    , m_runB(new QComboBox(this))
    , m_showAll(new QCheckBox(QStringLiteral("Show all settings"), this))
    , m_summary(new QLabel(this))
    , m_model(new QStandardItemModel(0, 3, this))
    , m_table(new QTableView(this))
{
    for (auto *combo : {m_runA, m_runB}) {
        combo->setMinimumContentsLength(20);
        combo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    }
    m_runA->setObjectName(QStringLiteral("diffRunA"));
    m_runB->setObjectName(QStringLiteral("diffRunB"));
    m_table->setObjectName(QStringLiteral("configDiffTable"));
    m_table->setModel(m_model);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 8);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_table->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
    m_table->horizontalHeader()->setSectionResizeMode(2, QHeaderView::Stretch);
    installCsvExport(m_table, QStringLiteral("config-diff"));
    auto *exportButton = new QPushButton(QStringLiteral("Export CSV…"), this);

    auto *bar = new QHBoxLayout;
    auto *labelA = new QLabel(QStringLiteral("Run &A:"), this);
    labelA->setBuddy(m_runA);
    auto *labelB = new QLabel(QStringLiteral("Run &B:"), this);
    labelB->setBuddy(m_runB);
    bar->addWidget(labelA);
    bar->addWidget(m_runA);
    bar->addSpacing(8);
    bar->addWidget(labelB);
    bar->addWidget(m_runB);
    bar->addSpacing(12);
    bar->addWidget(m_showAll);
    bar->addStretch();
    bar->addWidget(exportButton);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(m_summary);
    layout->addWidget(m_table, 1);

    for (auto *combo : {m_runA, m_runB})
        connect(combo, &QComboBox::currentIndexChanged, this, &ConfigDiffPanel::rebuildTable);
    connect(m_showAll, &QCheckBox::toggled, this, &ConfigDiffPanel::rebuildTable);
    connect(exportButton, &QPushButton::clicked, this, &ConfigDiffPanel::exportTable);
    rebuildTable();
}

void ConfigDiffPanel::setRuns(const std::vector<ComparedRun> &runs)
{
    const auto keepA = runA(), keepB = runB();
    m_runs = runs;
    {
        const QSignalBlocker blockA(m_runA), blockB(m_runB);
        fillCombo(m_runA, keepA, 0);
        fillCombo(m_runB, keepB, 1);
    }
    rebuildTable();
}

void ConfigDiffPanel::fillCombo(QComboBox *combo, std::int64_t keep, int fallbackIndex)
{
    combo->clear();
    for (const auto &run : m_runs)
        combo->addItem(runLabel(run.detail->record),
                       QVariant::fromValue<qint64>(run.detail->record.id));
    int index = combo->findData(QVariant::fromValue<qint64>(keep));
    if (index < 0)
        index = std::min(fallbackIndex, combo->count() - 1);
    combo->setCurrentIndex(index);
}

void ConfigDiffPanel::selectRuns(std::int64_t runA, std::int64_t runB)
{
    {
        const QSignalBlocker blockA(m_runA);
        m_runA->setCurrentIndex(m_runA->findData(QVariant::fromValue<qint64>(runA)));
    }
    m_runB->setCurrentIndex(m_runB->findData(QVariant::fromValue<qint64>(runB)));
    rebuildTable();
}

std::int64_t ConfigDiffPanel::runA() const
{
    return m_runA->currentData().toLongLong();
}

std::int64_t ConfigDiffPanel::runB() const
{
    return m_runB->currentData().toLongLong();
}

void ConfigDiffPanel::setShowAll(bool showAll)
{
    m_showAll->setChecked(showAll);
}

bool ConfigDiffPanel::showAll() const
{
    return m_showAll->isChecked();
}

const ComparedRun *ConfigDiffPanel::runById(std::int64_t id) const
{
    for (const auto &run : m_runs)
        if (run.detail->record.id == id)
            return &run;
    return nullptr;
}

void ConfigDiffPanel::rebuildTable()
{
    m_model->removeRows(0, m_model->rowCount());
    const ComparedRun *a = runById(runA());
    const ComparedRun *b = runById(runB());
    const auto name = [](const ComparedRun *run) {
        return run ? runLabel(run->detail->record) : QStringLiteral("—");
    };
    m_model->setHorizontalHeaderLabels({QStringLiteral("Path"), name(a), name(b)});
    if (!a || !b) {
        m_summary->setText(QStringLiteral("Choose two runs to compare their settings."));
        return;
    }

    const auto specA = flattenSpec(a->detail->record.specJson);
    const auto specB = flattenSpec(b->detail->record.specJson);
    QStringList paths = specA.keys() + specB.keys();
    paths.sort();
    paths.removeDuplicates();
    const bool all = m_showAll->isChecked();
    int differing = 0;
    for (const auto &path : paths) {
        const QString va = specA.value(path, kAbsent), vb = specB.value(path, kAbsent);
        const bool differs = va != vb;
        differing += differs ? 1 : 0;
        if (!differs && !all)
            continue;
        QList<QStandardItem *> row {new QStandardItem(path), new QStandardItem(va),
                                    new QStandardItem(vb)};
        for (auto *item : row) {
            item->setToolTip(item->text());
            if (differs && all) { // among identical rows, the differences must stand out
                QFont font = item->font();
                font.setBold(true);
                item->setFont(font);
            }
        }
        for (int column : {1, 2})
            if (row[column]->text() == kAbsent)
                row[column]->setToolTip(QStringLiteral("not set in this run's spec"));
        m_model->appendRow(row);
    }
    if (a == b)
        m_summary->setText(QStringLiteral("Both sides show the same run; choose another run B."));
    else if (differing == 0)
        m_summary->setText(
            QStringLiteral("The two run specs are identical (%1 settings).").arg(paths.size()));
    else
        m_summary->setText(QStringLiteral("%1 of %2 settings differ%3.")
                               .arg(differing)
                               .arg(paths.size())
                               .arg(all ? QStringLiteral(" (in bold)") : QString()));
    m_table->resizeColumnToContents(0);
    m_table->setColumnWidth(0, std::clamp(m_table->columnWidth(0) + 16, 160, 360));
}

void ConfigDiffPanel::exportTable()
{
    const auto path = QFileDialog::getSaveFileName(this, QStringLiteral("Export table"),
                                                   QStringLiteral("config-diff.csv"),
                                                   QStringLiteral("CSV (*.csv)"));
    QString error;
    if (!path.isEmpty() && !exportCsv(m_model, path, &error))
        showError(this, QStringLiteral("Export failed"), error, {});
}

} // namespace slim::ui
