#include "forms/spec_form.h"

#include "common/palette.h"

#include "forms/field_editor.h"

#include <QFormLayout>
#include <QGroupBox>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QScrollArea>
#include <QSet>
#include <QVBoxLayout>

namespace slim::ui {

using services::SpecIssue;

namespace {

// The one field the others depend on: validateRunSpec and method_defaults are keyed by it.
const QString kMethodPath = QStringLiteral("adapter.method");

QString sectionTitle(const QString &section)
{
    if (section.isEmpty())
        return SpecForm::tr("Run");
    if (section == QLatin1String("eval"))
        return SpecForm::tr("Evaluation");
    return humanisedName(section);
}

void insertPath(QJsonObject &object, const QStringList &parts, const QJsonValue &value)
{
    if (parts.size() == 1) {
        object.insert(parts.front(), value);
        return;
    }
    QJsonObject child = object.value(parts.front()).toObject();
    insertPath(child, parts.mid(1), value);
    object.insert(parts.front(), child);
}

QString fieldOfIssue(const QString &issuePath)
{
    // "data.tasks[1]" is an item of the field "data.tasks".
    return issuePath.section(QLatin1Char('['), 0, 0);
}

} // namespace

SpecForm::SpecForm(QWidget *parent)
    : QWidget(parent)
    , m_schema(services::runSpecSchema())
{
    build();
    applyMethod(method(), true);
    revalidate();
}

void SpecForm::build()
{
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    m_formMessage = new QLabel;
    m_formMessage->setObjectName(QStringLiteral("formMessage"));
    m_formMessage->setWordWrap(true);
    m_formMessage->setStyleSheet(palette::textStyle(palette::error()));
    m_formMessage->hide();
    outer->addWidget(m_formMessage);

    m_scroll = new QScrollArea;
    m_scroll->setWidgetResizable(true);
    m_scroll->setFrameShape(QFrame::NoFrame);
    auto *content = new QWidget;
    auto *sections = new QVBoxLayout(content);
    m_scroll->setWidget(content);
    outer->addWidget(m_scroll);

    m_methodGroup = kMethodPath.section(QLatin1Char('.'), 0, -2) + QLatin1Char('.');
    QHash<QString, QFormLayout *> layouts;
    for (const auto &value : m_schema.value("fields").toArray()) {
        auto *field = new FieldEditor(value.toObject(), this);
        m_fields << field;
        m_byPath.insert(field->path(), field);
        if (field->path() == kMethodPath)
            m_methodField = field;
        QFormLayout *&form = layouts[field->section()];
        if (!form) {
            auto *box = new QGroupBox(sectionTitle(field->section()));
            box->setObjectName(QStringLiteral("section_") + field->section());
            form = new QFormLayout(box);
            form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
            form->setLabelAlignment(Qt::AlignRight | Qt::AlignVCenter);
            sections->addWidget(box);
        }
        // The method picker heads its section whatever its place in the schema.
        if (field == m_methodField) {
            QFont bold = field->label()->font();
            bold.setBold(true);
            field->label()->setFont(bold);
            form->insertRow(0, field->label(), field->row());
        } else {
            form->addRow(field->label(), field->row());
        }
        m_layoutOf.insert(field, form);
        connect(field, &FieldEditor::edited, this, [this, field] { fieldEdited(field); });
    }
    sections->addStretch(1);
    // One label column for all sections, so the editors line up from Run to Adapter.
    int labelWidth = 0;
    for (const auto *field : std::as_const(m_fields))
        labelWidth = std::max(labelWidth, field->label()->sizeHint().width());
    for (const auto *field : std::as_const(m_fields)) {
        field->label()->setMinimumWidth(labelWidth);
        field->label()->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    }
}

QString SpecForm::method() const
{
    return m_methodField ? m_methodField->value().toString() : QString();
}

void SpecForm::setMethod(const QString &method)
{
    if (!m_methodField)
        return;
    m_methodField->setValue(method);
    m_loadIssues.clear();
    applyMethod(this->method(), true);
    revalidate();
    Q_EMIT specChanged();
}

QJsonValue SpecForm::defaultFor(const FieldEditor *field, const QString &method) const
{
    for (const auto &value : m_schema.value("fields").toArray()) {
        const auto object = value.toObject();
        if (object.value("path").toString() != field->path())
            continue;
        if (field->path().startsWith(m_methodGroup)) {
            const auto methodDefaults
                = m_schema.value("method_defaults").toObject().value(method).toObject();
            const auto key = field->path().mid(m_methodGroup.size());
            if (methodDefaults.contains(key))
                return methodDefaults.value(key);
        }
        return object.value("default");
    }
    return {};
}

void SpecForm::applyMethod(const QString &method, bool resetAdapterFields)
{
    for (auto *field : std::as_const(m_fields)) {
        m_layoutOf.value(field)->setRowVisible(field->row(), field->appliesTo(method));
        if (field == m_methodField || !field->path().startsWith(m_methodGroup))
            continue;
        const auto def = defaultFor(field, method);
        field->setDefaultValue(def);
        if (resetAdapterFields)
            field->setValue(def);
    }
}

void SpecForm::fieldEdited(FieldEditor *field)
{
    // Once the user edits, the form's content is what will run; the leftovers of the last
    // setSpec() (already visible in the JSON) would otherwise block the form for good.
    m_loadIssues.clear();
    if (field == m_methodField)
        applyMethod(method(), true);
    revalidate();
    Q_EMIT specChanged();
}

QJsonObject SpecForm::spec() const
{
    const QString current = method();
    QJsonObject spec;
    for (const auto *field : m_fields) {
        if (field->appliesTo(current))
            insertPath(spec, field->path().split(QLatin1Char('.')), field->value());
    }
    return spec;
}

QStringList SpecForm::keyOrder(const QString &prefix) const
{
    QStringList keys;
    const QString start = prefix.isEmpty() ? QString() : prefix + QLatin1Char('.');
    for (const auto *field : m_fields) {
        if (!field->path().startsWith(start))
            continue;
        const QString key = field->path().mid(start.size()).section(QLatin1Char('.'), 0, 0);
        if (!keys.contains(key))
            keys << key;
    }
    // As in the form, the method heads its group.
    if (m_methodField && start == m_methodGroup)
        keys.move(keys.indexOf(m_methodField->path().mid(start.size())), 0);
    return keys;
}

QString SpecForm::writeObject(const QJsonObject &object, const QString &prefix, int indent) const
{
    const auto compact = [](const QJsonValue &value) {
        if (value.isArray()) {
            QStringList items;
            for (const auto &item : value.toArray())
                items << QString::fromUtf8(
                             QJsonDocument(QJsonArray {item}).toJson(QJsonDocument::Compact))
                             .mid(1)
                             .chopped(1);
            return QStringLiteral("[") + items.join(QLatin1String(", ")) + QStringLiteral("]");
        }
        return QString::fromUtf8(QJsonDocument(QJsonArray {value}).toJson(QJsonDocument::Compact))
            .mid(1)
            .chopped(1);
    };
    QStringList keys;
    for (const auto &key : keyOrder(prefix)) {
        if (object.contains(key))
            keys << key;
    }
    for (const auto &key : object.keys()) {
        if (!keys.contains(key))
            keys << key;
    }
    const QString pad(indent + 4, QLatin1Char(' '));
    QStringList lines;
    for (const auto &key : std::as_const(keys)) {
        const QJsonValue value = object.value(key);
        const QString path = prefix.isEmpty() ? key : prefix + QLatin1Char('.') + key;
        lines << pad + compact(key) + QStringLiteral(": ")
                + (value.isObject() ? writeObject(value.toObject(), path, indent + 4)
                                    : compact(value));
    }
    if (lines.isEmpty())
        return QStringLiteral("{}");
    return QStringLiteral("{\n") + lines.join(QLatin1String(",\n")) + QLatin1Char('\n')
        + QString(indent, QLatin1Char(' ')) + QLatin1Char('}');
}

QString SpecForm::specText() const
{
    return writeObject(spec(), QString(), 0) + QLatin1Char('\n');
}

bool SpecForm::isGroup(const QString &path) const
{
    const QString prefix = path + QLatin1Char('.');
    for (const auto *field : m_fields) {
        if (field->path().startsWith(prefix))
            return true;
    }
    return false;
}

void SpecForm::walkSpec(const QJsonObject &object, const QString &prefix, const QString &method)
{
    for (auto it = object.begin(); it != object.end(); ++it) {
        const QString path = prefix.isEmpty() ? it.key() : prefix + QLatin1Char('.') + it.key();
        if (auto *field = m_byPath.value(path)) {
            if (field == m_methodField)
                continue; // applied first, by setSpec()
            if (!field->appliesTo(method))
                m_loadIssues.append({path, tr("does not apply to method %1").arg(method)});
            else if (const auto problem = field->setValue(it.value()); !problem.isEmpty())
                m_loadIssues.append({path, problem});
        } else if (isGroup(path)) {
            if (it.value().isObject())
                walkSpec(it.value().toObject(), path, method);
            else
                m_loadIssues.append({path, tr("expected an object")});
        } else {
            m_loadIssues.append({path, tr("unknown field")});
        }
    }
}

QList<SpecIssue> SpecForm::setSpec(const QJsonObject &spec)
{
    m_loadIssues.clear();
    // Start from the defaults, as the engine does for missing fields.
    for (auto *field : std::as_const(m_fields)) {
        if (field != m_methodField)
            field->setValue(defaultFor(field, QString()));
    }
    if (m_methodField) {
        QJsonValue method = spec;
        for (const auto &part : kMethodPath.split(QLatin1Char('.')))
            method = method.toObject().value(part);
        m_methodField->setValue(defaultFor(m_methodField, QString()));
        if (!method.isUndefined()) {
            if (const auto problem = m_methodField->setValue(method); !problem.isEmpty())
                m_loadIssues.append({kMethodPath, problem});
        }
    }
    applyMethod(method(), true);
    walkSpec(spec, QString(), method());
    revalidate();
    Q_EMIT specChanged();
    return m_loadIssues;
}

void SpecForm::revalidate()
{
    const QString current = method();
    QHash<QString, QStringList> messages;
    QList<SpecIssue> issues;
    QSet<QString> locallyWrong;
    for (const auto *field : std::as_const(m_fields)) {
        if (!field->appliesTo(current))
            continue;
        if (const auto problem = field->check(); !problem.isEmpty()) {
            locallyWrong.insert(field->path());
            messages[field->path()] << problem;
            issues.append({field->path(), problem});
        }
    }
    // The engine's checks cover what one field cannot see (e.g. batch_size vs grad_accum);
    // a field that already fails locally keeps its own, more immediate message.
    auto service = services::validateSpec(spec());
    service.append(m_loadIssues);
    QStringList formLines;
    for (const auto &issue : std::as_const(service)) {
        const QString path = fieldOfIssue(issue.path);
        if (locallyWrong.contains(path))
            continue;
        issues.append(issue);
        auto *field = m_byPath.value(path);
        if (field && field->appliesTo(current)) {
            if (!messages[path].contains(issue.message))
                messages[path] << issue.message;
        } else {
            formLines << (issue.path.isEmpty() ? issue.message
                                               : issue.path + QStringLiteral(": ") + issue.message);
        }
    }
    for (auto *field : std::as_const(m_fields))
        field->setMessage(messages.value(field->path()).join(QLatin1String("; ")));
    m_formMessage->setText(formLines.join(QLatin1Char('\n')));
    m_formMessage->setVisible(!formLines.isEmpty());
    m_issues = issues;
}

QStringList SpecForm::fieldPaths() const
{
    QStringList paths;
    for (const auto *field : m_fields)
        paths << field->path();
    return paths;
}

QStringList SpecForm::shownPaths() const
{
    const QString current = method();
    QStringList paths;
    for (const auto *field : m_fields) {
        if (field->appliesTo(current))
            paths << field->path();
    }
    return paths;
}

QWidget *SpecForm::editor(const QString &path) const
{
    auto *field = m_byPath.value(path);
    return field ? field->editor() : nullptr;
}

QString SpecForm::fieldMessage(const QString &path) const
{
    auto *field = m_byPath.value(path);
    return field ? field->message() : QString();
}

void SpecForm::focusField(const QString &path)
{
    auto *field = m_byPath.value(path);
    if (!field || !field->appliesTo(method()))
        return;
    m_scroll->ensureWidgetVisible(field->row());
    field->editor()->setFocus(Qt::OtherFocusReason);
}

QString SpecForm::formMessage() const
{
    return m_formMessage->text();
}

} // namespace slim::ui
