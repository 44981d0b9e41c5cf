#include "forms/sweep_dialog.h"

#include "forms/spec_form.h"
#include "spec_service.h"
#include "sweep_service.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPushButton>
#include <QScopedValueRollback>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QThread>
#include <QVBoxLayout>

namespace slim::ui {

namespace {

constexpr int kPathColumn = 0;
constexpr int kValuesColumn = 1;
constexpr int kShownRuns = 200;

QString compactJson(const QJsonValue &value)
{
    // QJsonDocument holds arrays and objects only: wrap, then unwrap.
    return QString::fromUtf8(QJsonDocument(QJsonArray {value}).toJson(QJsonDocument::Compact))
        .mid(1)
        .chopped(1);
}

// How a row shows values: comma-separated when that reads back the same, else a JSON array.
QString valuesText(const QJsonArray &values)
{
    QStringList items;
    for (const auto &value : values)
        items << (value.isString() ? value.toString() : compactJson(value));
    const auto text = items.join(QStringLiteral(", "));
    return SweepDialog::parseValues(text) == values
               ? text
               : QString::fromUtf8(QJsonDocument(values).toJson(QJsonDocument::Compact));
}

// The run spec fields an axis can take, "method" (short for adapter.method) first.
QStringList axisPaths()
{
    QStringList paths {QStringLiteral("method"), QStringLiteral("seed")};
    for (const auto &field : services::runSpecSchema().value("fields").toArray()) {
        const auto path = field.toObject().value("path").toString();
        if (path != QLatin1String("name") && !paths.contains(path)
            && path != QLatin1String("adapter.method"))
            paths << path;
    }
    return paths;
}

} // namespace

QJsonArray SweepDialog::parseValues(const QString &text)
{
    const auto trimmed = text.trimmed();
    if (trimmed.startsWith('[')) {
        const auto document = QJsonDocument::fromJson(trimmed.toUtf8());
        if (document.isArray())
            return document.array();
    }
    QJsonArray values;
    for (const auto &part : trimmed.split(',', Qt::SkipEmptyParts)) {
        const auto item = part.trimmed();
        if (item.isEmpty())
            continue;
        const auto parsed = QJsonDocument::fromJson("[" + item.toUtf8() + "]");
        if (parsed.isArray() && parsed.array().size() == 1)
            values.append(parsed.array().first());
        else
            values.append(item);
    }
    return values;
}

SweepDialog::SweepDialog(QWidget *parent)
    : QDialog(parent)
{
    setWindowTitle(tr("New sweep"));
    auto *layout = new QVBoxLayout(this);

    auto *top = new QFormLayout;
    m_name = new QLineEdit(QStringLiteral("sweep"));
    m_name->setObjectName(QStringLiteral("sweepName"));
    m_name->setToolTip(tr("The sweep's name; each run is named after it and its axis values. "
                          "The same name, base and axes are the same sweep: queueing it again "
                          "continues it."));
    top->addRow(tr("&Name:"), m_name);
    m_presets = new QComboBox;
    m_presets->addItem(tr("Custom"));
    m_presets->addItems(services::specPresetNames());
    m_presets->setToolTip(tr("Load a preset's complete spec as the base run."));
    top->addRow(tr("Base &preset:"), m_presets);
    layout->addLayout(top);

    auto *split = new QSplitter(Qt::Horizontal);
    m_base = new SpecForm;
    split->addWidget(m_base);

    auto *right = new QWidget;
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addWidget(new QLabel(tr("<b>Axes</b>: a run spec field and the values it takes "
                                         "(comma-separated, or a JSON array). Every combination "
                                         "is one run.")));
    m_axes = new QTableWidget(0, 2);
    m_axes->setObjectName(QStringLiteral("axes"));
    m_axes->setHorizontalHeaderLabels({tr("Field"), tr("Values")});
    m_axes->horizontalHeader()->setSectionResizeMode(kValuesColumn, QHeaderView::Stretch);
    m_axes->setColumnWidth(kPathColumn, 220);
    rightLayout->addWidget(m_axes, 1);
    auto *axisButtons = new QHBoxLayout;
    auto *add = new QPushButton(tr("&Add axis"));
    auto *remove = new QPushButton(tr("&Remove axis"));
    axisButtons->addWidget(add);
    axisButtons->addWidget(remove);
    axisButtons->addStretch();
    rightLayout->addLayout(axisButtons);
    m_count = new QLabel;
    m_count->setObjectName(QStringLiteral("runCount"));
    rightLayout->addWidget(m_count);
    m_issues = new QListWidget;
    m_issues->setObjectName(QStringLiteral("issues"));
    m_issues->setWordWrap(true);
    rightLayout->addWidget(m_issues, 1);
    m_runs = new QListWidget;
    m_runs->setObjectName(QStringLiteral("runs"));
    rightLayout->addWidget(m_runs, 1);
    split->addWidget(right);
    split->setSizes({560, 540});
    layout->addWidget(split, 1);

    auto *bottom = new QHBoxLayout;
    auto *open = new QPushButton(tr("&Open…"));
    auto *save = new QPushButton(tr("&Save…"));
    bottom->addWidget(open);
    bottom->addWidget(save);
    bottom->addSpacing(16);
    auto *concurrencyLabel = new QLabel(tr("Runs at &once:"));
    m_concurrency = new QSpinBox;
    concurrencyLabel->setBuddy(m_concurrency);
    bottom->addWidget(concurrencyLabel);
    m_concurrency->setRange(1, std::max(1, QThread::idealThreadCount()));
    m_concurrency->setToolTip(tr("How many of the window's jobs run at the same time. More than "
                                 "one pays only when one run leaves the device idle (a small "
                                 "model on a large GPU); on a CPU the runs share its cores."));
    bottom->addWidget(m_concurrency);
    bottom->addStretch();
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel);
    m_queue = buttons->addButton(tr("&Queue"), QDialogButtonBox::AcceptRole);
    m_start = buttons->addButton(tr("&Start now"), QDialogButtonBox::AcceptRole);
    m_start->setDefault(true);
    bottom->addWidget(buttons);
    layout->addLayout(bottom);
    resize(1100, 720);

    connect(m_presets, &QComboBox::currentIndexChanged, this, &SweepDialog::presetChosen);
    connect(m_base, &SpecForm::specChanged, this, &SweepDialog::refresh);
    connect(m_name, &QLineEdit::textChanged, this, &SweepDialog::refresh);
    connect(m_axes, &QTableWidget::cellChanged, this, &SweepDialog::refresh);
    connect(add, &QPushButton::clicked, this, [this] { addAxis(QStringLiteral("seed"), "1, 2, 3"); });
    connect(remove, &QPushButton::clicked, this, [this] {
        const auto row = m_axes->currentRow();
        if (row >= 0)
            m_axes->removeRow(row);
        refresh();
    });
    connect(open, &QPushButton::clicked, this, &SweepDialog::openFile);
    connect(save, &QPushButton::clicked, this, &SweepDialog::saveFile);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    for (auto *button : {m_queue, m_start})
        connect(button, &QPushButton::clicked, this, [this, button] {
            const auto text = QJsonDocument(sweep()).toJson(QJsonDocument::Indented);
            Q_EMIT submitted(QString::fromUtf8(text), button == m_start, m_concurrency->value());
            accept();
        });

    // The runs are named after the sweep: the base's own name is not used.
    if (auto *name = m_base->editor(QStringLiteral("name"))) {
        name->setEnabled(false);
        name->setToolTip(tr("Each run is named after the sweep and its axis values."));
    }
    const auto presets = services::specPresetNames();
    if (const auto slim = presets.indexOf(QStringLiteral("builtin-slim")); slim >= 0)
        m_presets->setCurrentIndex(slim + 1);
    addAxis(QStringLiteral("method"), QStringLiteral("slim, lora"));
    addAxis(QStringLiteral("seed"), QStringLiteral("1, 2, 3"));
}

void SweepDialog::addAxis(const QString &path, const QString &values)
{
    const QSignalBlocker block(m_axes);
    const int row = m_axes->rowCount();
    m_axes->insertRow(row);
    auto *field = new QComboBox;
    field->setEditable(true);
    field->addItems(axisPaths());
    field->setCurrentText(path);
    connect(field, &QComboBox::currentTextChanged, this, &SweepDialog::refresh);
    m_axes->setCellWidget(row, kPathColumn, field);
    m_axes->setItem(row, kValuesColumn, new QTableWidgetItem(values));
    refresh();
}

QJsonObject SweepDialog::sweep() const
{
    auto base = m_base->spec();
    base.remove(QStringLiteral("name"));
    QJsonObject axes;
    for (int row = 0; row < m_axes->rowCount(); ++row) {
        const auto *field = qobject_cast<QComboBox *>(m_axes->cellWidget(row, kPathColumn));
        const auto *values = m_axes->item(row, kValuesColumn);
        const auto path = field ? field->currentText().trimmed() : QString();
        if (!path.isEmpty())
            axes.insert(path, parseValues(values ? values->text() : QString()));
    }
    return {{"name", m_name->text()}, {"base", base}, {"axes", axes}};
}

QString SweepDialog::setSweep(const QJsonObject &sweep)
{
    QStringList problems;
    {
        const QScopedValueRollback<bool> loading(m_loading, true);
        m_name->setText(sweep.value("name").toString());
        auto base = sweep.value("base");
        if (base.isString()) { // a preset, or a spec file beside the sweep file
            const auto name = base.toString();
            if (services::specPresetNames().contains(name)) {
                base = services::presetSpec(name);
            } else {
                QFile file(QFileInfo(name).isAbsolute() ? name : m_folder + "/" + name);
                const auto document = file.open(QIODevice::ReadOnly)
                                          ? QJsonDocument::fromJson(file.readAll())
                                          : QJsonDocument();
                if (!document.isObject())
                    problems << tr("base: %1 is neither a preset nor a readable spec file")
                                    .arg(name);
                base = document.object();
            }
        }
        m_presets->setCurrentIndex(0);
        for (const auto &issue : m_base->setSpec(base.toObject()))
            problems << issue.path + ": " + issue.message;
        m_axes->setRowCount(0);
        const auto axes = sweep.value("axes").toObject();
        for (auto it = axes.begin(); it != axes.end(); ++it)
            addAxis(it.key(), valuesText(it.value().toArray()));
    }
    refresh();
    return problems.join('\n');
}

void SweepDialog::presetChosen(int index)
{
    if (index <= 0 || m_loading)
        return;
    {
        const QScopedValueRollback<bool> loading(m_loading, true);
        m_base->setSpec(services::presetSpec(m_presets->itemText(index)));
    }
    refresh();
}

void SweepDialog::refresh()
{
    if (m_loading)
        return;
    const auto preview = services::previewSweep(sweep(), m_folder);
    m_issues->clear();
    for (const auto &issue : preview.issues)
        m_issues->addItem(issue.path.isEmpty() ? issue.message : issue.path + ": " + issue.message);
    m_issues->setVisible(!preview.valid());
    m_runs->clear();
    for (int i = 0; i < preview.runNames.size() && i < kShownRuns; ++i)
        m_runs->addItem(QStringLiteral("%1  %2").arg(i).arg(preview.runNames[i]));
    if (preview.runNames.size() > kShownRuns)
        m_runs->addItem(tr("… and %1 more").arg(preview.runNames.size() - kShownRuns));
    m_count->setText(preview.valid()
                         ? tr("<b>%n run(s)</b>, sweep id %1", nullptr, int(preview.runNames.size()))
                               .arg(preview.uuid.left(8))
                         : tr("<b>Not valid</b>: %n problem(s)", nullptr, int(preview.issues.size())));
    m_start->setEnabled(preview.valid());
    m_queue->setEnabled(preview.valid());
}

void SweepDialog::openFile()
{
    const auto path = QFileDialog::getOpenFileName(this, tr("Open a sweep file"), m_folder,
                                                   tr("Sweep files (*.json)"));
    if (path.isEmpty())
        return;
    QFile file(path);
    QJsonParseError error {};
    const auto document = file.open(QIODevice::ReadOnly)
                              ? QJsonDocument::fromJson(file.readAll(), &error)
                              : QJsonDocument();
    if (!document.isObject()) {
        QMessageBox::warning(this, tr("Not a sweep file"),
                             tr("%1 cannot be read as a sweep (a JSON object with name, base and "
                                "axes): %2")
                                 .arg(path, file.isOpen() ? error.errorString() : file.errorString()));
        return;
    }
    m_folder = QFileInfo(path).absolutePath();
    if (const auto problems = setSweep(document.object()); !problems.isEmpty())
        QMessageBox::warning(this, tr("Part of the sweep was not loaded"), problems);
}

void SweepDialog::saveFile()
{
    const auto path = QFileDialog::getSaveFileName(this, tr("Save the sweep"), m_folder,
                                                   tr("Sweep files (*.json)"));
    if (path.isEmpty())
        return;
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly)
        || file.write(QJsonDocument(sweep()).toJson(QJsonDocument::Indented)) < 0)
        QMessageBox::warning(this, tr("The sweep was not saved"),
                             tr("%1: %2").arg(path, file.errorString()));
}

} // namespace slim::ui
