#include "forms/new_run_dialog.h"

#include "common/palette.h"

#include "forms/spec_form.h"
#include "spec_service.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScopedValueRollback>
#include <QShortcut>
#include <QTabWidget>
#include <QTextBlock>
#include <QVBoxLayout>

namespace slim::ui {

namespace {

// The spec's own name field; a duplicate gets " (copy)" appended to it.
const QString kNamePath = QStringLiteral("name");
constexpr int kFormTab = 0;
constexpr int kJsonTab = 1;

QString defaultName()
{
    for (const auto &field : services::runSpecSchema().value("fields").toArray()) {
        if (field.toObject().value("path").toString() == kNamePath)
            return field.toObject().value("default").toString();
    }
    return {};
}

} // namespace

NewRunDialog::NewRunDialog(QWidget *parent)
    : QDialog(parent)
{
    setWindowTitle(tr("New run"));
    auto *layout = new QVBoxLayout(this);

    auto *top = new QHBoxLayout;
    m_presets = new QComboBox;
    m_presets->setObjectName(QStringLiteral("presets"));
    m_presets->addItem(tr("Custom"));
    m_presets->addItems(services::specPresetNames());
    m_presets->setToolTip(tr("Load a preset's complete spec into the form; editing it afterwards "
                             "makes the spec custom again."));
    auto *presetLabel = new QLabel(tr("&Preset:"));
    presetLabel->setBuddy(m_presets);
    m_tags = new QLineEdit;
    m_tags->setObjectName(QStringLiteral("tags"));
    m_tags->setPlaceholderText(tr("comma-separated, e.g. ablation, mds"));
    auto *tagsLabel = new QLabel(tr("&Tags:"));
    tagsLabel->setBuddy(m_tags);
    top->addWidget(presetLabel);
    top->addWidget(m_presets);
    top->addSpacing(16);
    top->addWidget(tagsLabel);
    top->addWidget(m_tags, 1);
    layout->addLayout(top);

    m_tabs = new QTabWidget;
    m_form = new SpecForm;
    m_tabs->insertTab(kFormTab, m_form, tr("Form"));
    auto *jsonPage = new QWidget;
    auto *jsonLayout = new QVBoxLayout(jsonPage);
    m_json = new QPlainTextEdit;
    m_json->setObjectName(QStringLiteral("json"));
    m_json->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_json->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_json->setTabChangesFocus(true);
    m_jsonError = new QLabel;
    m_jsonError->setObjectName(QStringLiteral("jsonError"));
    m_jsonError->setStyleSheet(palette::textStyle(palette::error()));
    m_jsonError->setWordWrap(true);
    m_jsonError->hide();
    jsonLayout->addWidget(m_json);
    jsonLayout->addWidget(m_jsonError);
    m_tabs->insertTab(kJsonTab, jsonPage, tr("JSON"));
    layout->addWidget(m_tabs, 1);

    m_preflight = new QLabel;
    m_preflight->setObjectName(QStringLiteral("preflight"));
    m_preflight->setWordWrap(true);
    m_preflight->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_preflight);

    m_issues = new QListWidget;
    m_issues->setObjectName(QStringLiteral("issues"));
    m_issues->setMaximumHeight(m_issues->fontMetrics().height() * 5 + 8);
    m_issues->setToolTip(tr("Click a problem to go to its field."));
    layout->addWidget(m_issues);

    auto *buttons = new QDialogButtonBox;
    m_start = buttons->addButton(tr("Start now"), QDialogButtonBox::AcceptRole);
    m_start->setToolTip(tr("Start the run as soon as the device is free (Ctrl+Return)"));
    m_queue = buttons->addButton(tr("Queue"), QDialogButtonBox::ActionRole);
    m_queue->setToolTip(tr("Record the run as queued; start it later from the runs list"));
    buttons->addButton(QDialogButtonBox::Cancel);
    m_start->setDefault(true);
    layout->addWidget(buttons);

    connect(m_presets, &QComboBox::activated, this, &NewRunDialog::presetChosen);
    connect(m_form, &SpecForm::specChanged, this, &NewRunDialog::formChanged);
    connect(m_json, &QPlainTextEdit::textChanged, this, &NewRunDialog::jsonEdited);
    connect(m_issues, &QListWidget::itemClicked, this, [this](QListWidgetItem *item) {
        const QString path = item->data(Qt::UserRole).toString();
        if (m_form->shownPaths().contains(path)) {
            m_tabs->setCurrentIndex(kFormTab);
            m_form->focusField(path);
        } else {
            m_tabs->setCurrentIndex(kJsonTab);
        }
    });
    connect(m_start, &QPushButton::clicked, this, [this] { submit(true); });
    connect(m_queue, &QPushButton::clicked, this, [this] { submit(false); });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    for (const auto &keys :
         {QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::CTRL | Qt::Key_Enter)}) {
        connect(new QShortcut(keys, this), &QShortcut::activated, this, [this] {
            if (m_start->isEnabled())
                submit(true);
        });
    }

    refreshJsonText();
    updateState();
    // Fits a 1366x768 screen with the taskbar; the form scrolls inside.
    resize(760, 680);
}

void NewRunDialog::presetChosen(int index)
{
    if (index <= 0)
        return; // "Custom" keeps the current spec
    const auto spec = services::presetSpec(m_presets->itemText(index));
    QScopedValueRollback<bool> guard(m_loadingPreset, true);
    m_form->setSpec(spec);
}

bool NewRunDialog::selectPreset(const QString &name)
{
    const int index = m_presets->findText(name);
    if (index <= 0)
        return false;
    m_presets->setCurrentIndex(index);
    presetChosen(index);
    return true;
}

void NewRunDialog::formChanged()
{
    if (!m_loadingPreset) {
        QSignalBlocker blocker(m_presets);
        m_presets->setCurrentIndex(0);
    }
    // While the user types JSON, the text is theirs: rewriting it would move the cursor and
    // reformat half-typed input. Every other change shows the form's full spec.
    if (!m_applyingJson)
        refreshJsonText();
    updateState();
}

void NewRunDialog::refreshJsonText()
{
    QScopedValueRollback<bool> guard(m_writingJson, true);
    m_json->setPlainText(m_form->specText());
    showJsonError({}, 0);
}

void NewRunDialog::jsonEdited()
{
    if (m_writingJson)
        return;
    const QByteArray text = m_json->toPlainText().toUtf8();
    QJsonParseError error;
    const auto document = QJsonDocument::fromJson(text, &error);
    if (error.error != QJsonParseError::NoError) {
        // The offset counts UTF-8 bytes; so does the column (close enough for JSON).
        const QByteArray before = text.left(error.offset);
        const int line = int(before.count('\n')) + 1;
        const int column = int(error.offset - (before.lastIndexOf('\n') + 1)) + 1;
        showJsonError(tr("Line %1, column %2: %3").arg(line).arg(column).arg(error.errorString()),
                      line);
    } else if (!document.isObject()) {
        showJsonError(tr("Line 1, column 1: the spec must be a JSON object ({...})"), 1);
    } else {
        showJsonError({}, 0);
        QScopedValueRollback<bool> guard(m_applyingJson, true);
        m_form->setSpec(document.object());
    }
    QSignalBlocker blocker(m_presets);
    m_presets->setCurrentIndex(0);
    updateState();
}

void NewRunDialog::showJsonError(const QString &message, int line)
{
    m_jsonError->setText(message);
    m_jsonError->setVisible(!message.isEmpty());
    QList<QTextEdit::ExtraSelection> marks;
    if (line > 0) {
        QTextEdit::ExtraSelection mark;
        mark.format.setBackground(palette::errorFill());
        mark.format.setProperty(QTextFormat::FullWidthSelection, true);
        mark.cursor = QTextCursor(m_json->document()->findBlockByNumber(line - 1));
        marks << mark;
    }
    m_json->setExtraSelections(marks);
}

QString NewRunDialog::jsonError() const
{
    return m_jsonError->text();
}

void NewRunDialog::updateState()
{
    m_issues->clear();
    const auto addIssue = [this](const QString &path, const QString &text) {
        auto *item = new QListWidgetItem(text, m_issues);
        item->setForeground(palette::error());
        item->setData(Qt::UserRole, path);
    };
    if (!jsonError().isEmpty())
        addIssue({}, tr("JSON: %1").arg(jsonError()));
    for (const auto &issue : m_form->issues())
        addIssue(issue.path.section(QLatin1Char('['), 0, 0),
                 issue.path.isEmpty() ? issue.message
                                      : issue.path + QStringLiteral(": ") + issue.message);
    const bool ok = m_issues->count() == 0;
    m_issues->setVisible(!ok);
    m_start->setEnabled(ok);
    m_queue->setEnabled(ok);
    m_tabs->setTabText(kJsonTab, jsonError().isEmpty() ? tr("JSON") : tr("JSON (error)"));
    updatePreflight();
}

void NewRunDialog::updatePreflight()
{
    const auto spec = QJsonDocument::fromJson(specJson().toUtf8()).object();
    const auto base = spec.value(QStringLiteral("base_model")).toString();
    if (base != m_describedBase) { // reads the folder's headers: only when it changes
        m_describedBase = base;
        const auto described = services::describeBaseModel(base);
        m_baseOk = described.ok;
        m_baseText = described.text;
    }
    QStringList lines{tr("Base model: %1").arg(m_baseText.toHtmlEscaped())};
    bool warn = !m_baseOk;
    if (m_baseOk && m_issues->count() == 0) {
        const auto memory = services::checkRunMemory(spec);
        lines << tr("Memory: %1").arg(memory.text.toHtmlEscaped());
        warn = warn || !memory.ok || !memory.fits;
    }
    m_preflight->setText(lines.join(QStringLiteral("<br>")));
    m_preflight->setStyleSheet(warn ? palette::textStyle(palette::error()) : QString());
}

void NewRunDialog::setSpecJson(const QString &specJson, const QString &name)
{
    QJsonParseError error;
    auto document = QJsonDocument::fromJson(specJson.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError || !document.isObject()) {
        m_json->setPlainText(specJson); // shows the error via jsonEdited()
        m_tabs->setCurrentIndex(kJsonTab);
        return;
    }
    QJsonObject spec = document.object();
    QString copyName = name;
    if (copyName.isEmpty()) {
        QString original = spec.value(kNamePath).toString();
        if (original.isEmpty())
            original = defaultName();
        copyName = tr("%1 (copy)").arg(original);
    }
    spec.insert(kNamePath, copyName);
    // Through the JSON text, so anything the form cannot hold (a field an older engine had)
    // stays visible and fixable there instead of vanishing.
    m_json->setPlainText(QString::fromUtf8(QJsonDocument(spec).toJson()));
}

QString NewRunDialog::specJson() const
{
    return m_form->specText();
}

void NewRunDialog::setTags(const QStringList &tags)
{
    m_tags->setText(tags.join(QLatin1String(", ")));
}

QStringList NewRunDialog::tags() const
{
    QStringList tags;
    for (const auto &part : m_tags->text().split(QLatin1Char(','))) {
        const auto tag = part.trimmed();
        if (!tag.isEmpty() && !tags.contains(tag))
            tags << tag;
    }
    return tags;
}

void NewRunDialog::submit(bool startNow)
{
    if (!m_start->isEnabled())
        return;
    Q_EMIT submitted(specJson(), tags(), startNow);
    accept();
}

} // namespace slim::ui
