#pragma once
// The run-spec form, generated from services::runSpecSchema(): one editor per schema field,
// grouped by the first path segment ("Run" for top-level fields), a method picker heading the
// adapter section that shows only the fields the chosen method uses, and inline validation
// (local parse/range checks as you type plus services::validateSpec()). No field is named in the
// code, so a field added to the engine's schema appears here by itself. GUI thread only.

#include "spec_service.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QWidget>

class QFormLayout;
class QLabel;
class QScrollArea;

namespace slim::ui {

class FieldEditor;

class SpecForm : public QWidget
{
    Q_OBJECT

public:
    explicit SpecForm(QWidget *parent = nullptr);

    // The full spec: every field the current method uses, nested by path ("a.b" -> {"a":{"b"}}),
    // defaults included, so what runs is explicit. A number that does not parse is emitted as
    // the typed text (and the form is invalid).
    QJsonObject spec() const;
    // spec() as indented JSON text, keys in the form's order (name first, method heading its
    // group) rather than QJsonDocument's alphabetical one.
    QString specText() const;
    // Fills the editors: fields not in `spec` take their defaults (the method's own for adapter
    // fields). Keys the form cannot hold (unknown, not used by the method, wrong type, unknown
    // choice) are returned and shown as issues until the next setSpec() or the user's next edit.
    QList<services::SpecIssue> setSpec(const QJsonObject &spec);

    // True when there is no issue of any kind.
    bool valid() const { return m_issues.isEmpty(); }
    // Every current issue: local checks, validateSpec() and setSpec() leftovers.
    QList<services::SpecIssue> issues() const { return m_issues; }

    QString method() const;
    // As if the user picked `method`: hides the fields it does not use and resets the adapter
    // fields to its defaults (schema "method_defaults").
    void setMethod(const QString &method);

    QStringList fieldPaths() const; // every schema field, in schema order
    QStringList shownPaths() const; // the fields the current method uses
    QWidget *editor(const QString &path) const; // nullptr for an unknown path
    QString fieldMessage(const QString &path) const; // the inline message under the field
    QString formMessage() const; // issues that belong to no shown field
    // Scrolls to the field's editor and focuses it (from a click in an issue list).
    void focusField(const QString &path);

Q_SIGNALS:
    void specChanged(); // by an edit, setSpec() or setMethod()

private:
    void build();
    void fieldEdited(FieldEditor *field);
    void applyMethod(const QString &method, bool resetAdapterFields);
    QJsonValue defaultFor(const FieldEditor *field, const QString &method) const;
    void walkSpec(const QJsonObject &object, const QString &prefix, const QString &method);
    bool isGroup(const QString &path) const;
    QStringList keyOrder(const QString &prefix) const;
    QString writeObject(const QJsonObject &object, const QString &prefix, int indent) const;
    void revalidate();

    QJsonObject m_schema;
    QList<FieldEditor *> m_fields; // schema order; owned (QObject children)
    QHash<QString, FieldEditor *> m_byPath;
    QHash<FieldEditor *, QFormLayout *> m_layoutOf;
    FieldEditor *m_methodField = nullptr;
    QString m_methodGroup; // "adapter.": the prefix of the fields method_defaults speak of
    QList<services::SpecIssue> m_loadIssues;
    QList<services::SpecIssue> m_issues;
    QLabel *m_formMessage = nullptr;
    QScrollArea *m_scroll = nullptr;
};

} // namespace slim::ui
