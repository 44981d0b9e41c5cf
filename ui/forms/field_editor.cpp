#include "forms/field_editor.h"

#include "common/palette.h"

#include <QCheckBox>
#include <QFileDialog>
#include <QToolButton>
#include <QComboBox>
#include <QDoubleValidator>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QRegularExpressionValidator>
#include <QScopedValueRollback>
#include <QVBoxLayout>

#include <cmath>
#include <limits>

namespace slim::ui {

namespace {

// Fixed editor widths, in digits of the editor's font, keep the form's columns straight.
constexpr int kNumberDigits = 18;
constexpr int kTextDigits = 44;

int digitsWidth(const QWidget *w, int digits)
{
    return w->fontMetrics().horizontalAdvance(QLatin1Char('0')) * digits;
}

// Words that read wrong when merely capitalised. Spelling only; no field names.
QString wordSpelling(const QString &word)
{
    static const QHash<QString, QString> spelled
        = {{"lr", "LR"},   {"lora", "LoRA"},      {"ood", "OOD"},    {"dare", "DARE"},
           {"eos", "EOS"}, {"l1", "L1"},          {"id", "ID"},      {"sds", "SDS"},
           {"mds", "MDS"}, {"kmeans", "k-means"}, {"adamw", "AdamW"}};
    return spelled.value(word.toLower(), word);
}

QString formatNumber(double v)
{
    // Whole numbers in full (a range of 1 - 10000000 reads better than 1 - 1e+07), others as
    // the shortest text that reads back as the same double: 0.0003, 1e-06.
    if (std::abs(v) < 1e15 && v == std::trunc(v))
        return QString::number(qint64(v));
    return QLocale::c().toString(v, 'g', QLocale::FloatingPointShortest);
}

bool isListType(const QString &type)
{
    return type.endsWith(QLatin1String(" list"));
}

QStringList splitList(const QString &text)
{
    QStringList items;
    for (const auto &part : text.split(QLatin1Char(','))) {
        if (const auto item = part.trimmed(); !item.isEmpty())
            items << item;
    }
    return items;
}

} // namespace

QString humanisedName(const QString &path)
{
    const QString last = path.section(QLatin1Char('.'), -1);
    QStringList words = last.split(QLatin1Char('_'), Qt::SkipEmptyParts);
    for (auto &w : words)
        w = wordSpelling(w);
    QString text = words.join(QLatin1Char(' '));
    if (!text.isEmpty())
        text[0] = text[0].toUpper();
    return text;
}

QString valueText(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Double: {
        // Whole numbers exactly (a seed of 2^53 - 1 must not become 9.00719925474e+15).
        constexpr qint64 kNotWhole = std::numeric_limits<qint64>::min();
        if (const qint64 whole = value.toInteger(kNotWhole); whole != kNotWhole)
            return QString::number(whole);
        return formatNumber(value.toDouble());
    }
    case QJsonValue::String:
        return value.toString();
    case QJsonValue::Bool:
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Array: {
        QStringList items;
        for (const auto &item : value.toArray())
            items << valueText(item);
        return items.join(QLatin1String(", "));
    }
    default:
        return {};
    }
}

FieldEditor::FieldEditor(const QJsonObject &field, QObject *parent)
    : QObject(parent)
    , m_path(field.value("path").toString())
    , m_type(field.value("type").toString())
    , m_help(field.value("help").toString())
    , m_min(field.value("min").toDouble(-std::numeric_limits<double>::infinity()))
    , m_max(field.value("max").toDouble(std::numeric_limits<double>::infinity()))
    , m_default(field.value("default"))
{
    for (const auto &c : field.value("choices").toArray())
        m_choices << c.toString();
    for (const auto &m : field.value("methods").toArray())
        m_methods << m.toString();
    m_folder = field.value("folder").toBool();
    m_files = field.value("files").toBool();
    buildEditor();
    setValue(m_default);
    updateToolTip();
}

QString FieldEditor::section() const
{
    return m_path.contains(QLatin1Char('.')) ? m_path.section(QLatin1Char('.'), 0, 0) : QString();
}

bool FieldEditor::appliesTo(const QString &method) const
{
    return m_methods.isEmpty() || m_methods.contains(method);
}

void FieldEditor::buildEditor()
{
    m_label = new QLabel(humanisedName(m_path));
    m_row = new QWidget;
    m_row->setObjectName(m_path);
    auto *column = new QVBoxLayout(m_row);
    column->setContentsMargins(0, 0, 0, 0);
    column->setSpacing(2);
    auto *line = new QHBoxLayout;
    line->setSpacing(8);
    column->addLayout(line);

    if (m_type == QLatin1String("boolean")) {
        auto *box = new QCheckBox;
        connect(box, &QCheckBox::toggled, this, [this] {
            if (!m_settingValue)
                Q_EMIT edited();
        });
        m_editor = box;
    } else if (m_type == QLatin1String("choice")) {
        auto *combo = new QComboBox;
        combo->addItems(m_choices);
        combo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
        combo->setMinimumWidth(digitsWidth(combo, kNumberDigits));
        connect(combo, &QComboBox::currentIndexChanged, this, [this] {
            if (!m_settingValue)
                Q_EMIT edited();
        });
        m_editor = combo;
    } else {
        // Numbers are line edits, not spin boxes: spin boxes clamp (hiding a wrong value that
        // came from JSON or a duplicated run), cannot hold 64-bit ranges, and make 1e-6 awkward.
        auto *edit = new QLineEdit;
        const bool text = isListType(m_type) || m_type == QLatin1String("string");
        edit->setFixedWidth(digitsWidth(edit, text ? kTextDigits : kNumberDigits));
        if (m_type == QLatin1String("integer")) {
            edit->setValidator(new QRegularExpressionValidator(
                QRegularExpression(QStringLiteral("-?\\d*")), edit));
        } else if (m_type == QLatin1String("number")) {
            // No range on the validator: an out-of-range value must stay typeable so the
            // inline message can say what the range is.
            auto *validator = new QDoubleValidator(edit);
            validator->setNotation(QDoubleValidator::ScientificNotation);
            QLocale c = QLocale::c();
            c.setNumberOptions(QLocale::RejectGroupSeparator);
            validator->setLocale(c);
            edit->setValidator(validator);
        } else if (m_type == QLatin1String("number list")) {
            edit->setValidator(new QRegularExpressionValidator(
                QRegularExpression(QStringLiteral("[-+.eE\\d,\\s]*")), edit));
        } else if (m_type == QLatin1String("integer list")) {
            edit->setValidator(new QRegularExpressionValidator(
                QRegularExpression(QStringLiteral("[-\\d,\\s]*")), edit));
        }
        if (isListType(m_type))
            edit->setPlaceholderText(m_choices.isEmpty() ? tr("comma-separated; empty = none")
                                                         : m_choices.join(QLatin1String(", ")));
        connect(edit, &QLineEdit::textEdited, this, [this] { Q_EMIT edited(); });
        m_editor = edit;
    }
    m_editor->setObjectName(QStringLiteral("editor"));
    m_label->setBuddy(m_editor);
    line->addWidget(m_editor);
    if (auto *edit = qobject_cast<QLineEdit *>(m_editor); edit && m_folder) {
        auto *browse = new QToolButton;
        browse->setObjectName(QStringLiteral("browse"));
        browse->setText(tr("Browse…"));
        browse->setToolTip(tr("Choose a folder"));
        connect(browse, &QToolButton::clicked, this, [this, edit] {
            const auto dir = QFileDialog::getExistingDirectory(
                m_row, tr("Choose a Hugging Face model folder"), edit->text());
            if (dir.isEmpty())
                return;
            edit->setText(dir);
            Q_EMIT edited();
        });
        line->addWidget(browse);
    }
    if (auto *edit = qobject_cast<QLineEdit *>(m_editor); edit && m_files) {
        auto *add = new QToolButton;
        add->setObjectName(QStringLiteral("addFiles"));
        add->setText(tr("Add files…"));
        add->setToolTip(tr("Add dataset files (.jsonl, .json, .csv, optionally .gz)"));
        connect(add, &QToolButton::clicked, this, [this, edit] {
            const auto files = QFileDialog::getOpenFileNames(
                m_row, tr("Choose dataset files"), QString(),
                tr("Datasets (*.jsonl *.json *.csv *.gz);;All files (*)"));
            if (files.isEmpty())
                return;
            auto items = splitList(edit->text());
            items << files;
            edit->setText(items.join(QLatin1String(", ")));
            Q_EMIT edited();
        });
        line->addWidget(add);
    }
    if (const auto range = rangeText(); !range.isEmpty()) {
        auto *hint = new QLabel(range);
        hint->setEnabled(false); // greyed: a reminder, not content
        line->addWidget(hint);
    }
    line->addStretch(1);

    m_message = new QLabel;
    m_message->setObjectName(QStringLiteral("message"));
    m_message->setWordWrap(true);
    m_message->setStyleSheet(palette::textStyle(palette::error())
                             + QStringLiteral(" font-size: small;"));
    m_message->hide();
    column->addWidget(m_message);
}

QString FieldEditor::rangeText() const
{
    const bool hasMin = std::isfinite(m_min);
    const bool hasMax = std::isfinite(m_max);
    if (!hasMin && !hasMax)
        return {};
    // Ranges beyond 2^53 are "no practical limit"; saying 9.007e+15 helps nobody.
    const bool hugeMax = hasMax && m_max >= 1e15;
    const QString prefix = isListType(m_type) ? tr("each ") : QString();
    if (hasMin && (!hasMax || hugeMax))
        return prefix + QStringLiteral("≥ %1").arg(formatNumber(m_min));
    if (!hasMin)
        return prefix + QStringLiteral("≤ %1").arg(formatNumber(m_max));
    return prefix + QStringLiteral("%1 – %2").arg(formatNumber(m_min), formatNumber(m_max));
}

void FieldEditor::updateToolTip()
{
    QString tip = QStringLiteral("<b>%1</b> <span style='color:gray'>(%2)</span><br>%3")
                      .arg(m_path.toHtmlEscaped(), m_type.toHtmlEscaped(), m_help.toHtmlEscaped());
    if (const auto range = rangeText(); !range.isEmpty())
        tip += QStringLiteral("<br>Range: %1").arg(range.toHtmlEscaped());
    if (m_type == QLatin1String("choice") || (isListType(m_type) && !m_choices.isEmpty()))
        tip += QStringLiteral("<br>Choices: %1").arg(m_choices.join(QLatin1String(", ")));
    const QString def = m_default.isArray() && m_default.toArray().isEmpty() ? tr("(empty)")
                                                                             : valueText(m_default);
    tip += QStringLiteral("<br>Default: %1").arg(def.toHtmlEscaped());
    if (!m_methods.isEmpty())
        tip += QStringLiteral("<br>Methods: %1").arg(m_methods.join(QLatin1String(", ")));
    m_label->setToolTip(tip);
    m_editor->setToolTip(tip);
}

void FieldEditor::setDefaultValue(const QJsonValue &value)
{
    m_default = value;
    updateToolTip();
}

QJsonValue FieldEditor::value() const
{
    if (auto *box = qobject_cast<QCheckBox *>(m_editor))
        return box->isChecked();
    if (auto *combo = qobject_cast<QComboBox *>(m_editor))
        return combo->currentText();
    const QString text = static_cast<QLineEdit *>(m_editor)->text().trimmed();
    if (m_type == QLatin1String("string"))
        return static_cast<QLineEdit *>(m_editor)->text();
    if (m_type == QLatin1String("string list"))
        return QJsonArray::fromStringList(splitList(text));
    // Unparseable numbers come back as typed (a string); check() reports them.
    bool ok = false;
    if (m_type == QLatin1String("integer")) {
        const qlonglong v = text.toLongLong(&ok);
        return ok ? QJsonValue(v) : QJsonValue(text);
    }
    if (m_type == QLatin1String("number")) {
        const double v = QLocale::c().toDouble(text, &ok);
        return ok && std::isfinite(v) ? QJsonValue(v) : QJsonValue(text);
    }
    QJsonArray items; // integer or number list
    const bool integers = m_type == QLatin1String("integer list");
    for (const auto &item : splitList(text)) {
        const QJsonValue v = integers ? QJsonValue(item.toLongLong(&ok))
                                      : QJsonValue(QLocale::c().toDouble(item, &ok));
        if (!ok || (!integers && !std::isfinite(v.toDouble())))
            return text;
        items.append(v);
    }
    return items;
}

QString FieldEditor::setValue(const QJsonValue &value)
{
    QScopedValueRollback<bool> guard(m_settingValue, true);
    const auto wrongType = [&] {
        return tr("expected %1, got %2")
            .arg(m_type, valueText(value).isEmpty() ? QStringLiteral("null") : valueText(value));
    };
    if (auto *box = qobject_cast<QCheckBox *>(m_editor)) {
        if (!value.isBool())
            return wrongType();
        box->setChecked(value.toBool());
        return {};
    }
    if (auto *combo = qobject_cast<QComboBox *>(m_editor)) {
        const int index = combo->findText(value.toString());
        if (!value.isString() || index < 0)
            return tr("'%1' is not one of %2")
                .arg(valueText(value), m_choices.join(QLatin1String(", ")));
        combo->setCurrentIndex(index);
        return {};
    }
    auto *edit = static_cast<QLineEdit *>(m_editor);
    const bool list = isListType(m_type);
    if (list != value.isArray() || value.isObject() || value.isNull() || value.isUndefined())
        return wrongType();
    // A string in a number field is shown as typed so check() can point at it.
    edit->setText(valueText(value));
    edit->setCursorPosition(0);
    return {};
}

QString FieldEditor::checkNumber(const QString &text, bool integer) const
{
    if (text.isEmpty())
        return integer ? tr("enter a whole number") : tr("enter a number");
    bool ok = false;
    const double v = integer ? double(text.toLongLong(&ok)) : QLocale::c().toDouble(text, &ok);
    if (!ok || !std::isfinite(v))
        return integer ? tr("'%1' is not a whole number").arg(text)
                       : tr("'%1' is not a number").arg(text);
    if (v < m_min || v > m_max)
        return tr("%1 is outside [%2, %3]").arg(text, formatNumber(m_min), formatNumber(m_max));
    return {};
}

QString FieldEditor::check() const
{
    auto *edit = qobject_cast<QLineEdit *>(m_editor);
    if (!edit)
        return {};
    const QString text = edit->text().trimmed();
    if (m_type == QLatin1String("integer") || m_type == QLatin1String("number"))
        return checkNumber(text, m_type == QLatin1String("integer"));
    if (m_type == QLatin1String("integer list") || m_type == QLatin1String("number list")) {
        for (const auto &item : splitList(text)) {
            if (auto problem = checkNumber(item, m_type == QLatin1String("integer list"));
                !problem.isEmpty())
                return problem;
        }
    }
    if (m_type == QLatin1String("string list") && !m_choices.isEmpty()) {
        for (const auto &item : splitList(text)) {
            if (!m_choices.contains(item))
                return tr("'%1' is not one of %2").arg(item, m_choices.join(QLatin1String(", ")));
        }
    }
    return {};
}

void FieldEditor::setMessage(const QString &message)
{
    m_message->setText(message);
    m_message->setVisible(!message.isEmpty());
    if (auto *edit = qobject_cast<QLineEdit *>(m_editor)) {
        // A red frame marks the field even when its message scrolled out of view.
        edit->setStyleSheet(message.isEmpty() ? QString()
                                              : QStringLiteral("border: 1px solid %1;").arg(palette::error().name()));
    }
}

QString FieldEditor::message() const
{
    return m_message->text();
}

} // namespace slim::ui
