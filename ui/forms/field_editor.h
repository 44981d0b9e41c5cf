#pragma once
// One run-spec field as widgets: a label, an editor chosen by the schema's type, a range hint and
// a red inline message. SpecForm builds one per schema field; nothing here knows field names.
// GUI thread only. The widgets are created without a parent; the caller puts row() into a layout
// (which then owns it) and label() beside it.

#include <QJsonObject>
#include <QJsonValue>
#include <QObject>
#include <QString>
#include <QStringList>

class QLabel;
class QWidget;

namespace slim::ui {

class FieldEditor : public QObject
{
    Q_OBJECT

public:
    // `field` is one entry of runSpecSchema()["fields"].
    explicit FieldEditor(const QJsonObject &field, QObject *parent = nullptr);

    QString path() const { return m_path; }
    QString section() const; // first path segment, "" for top-level fields
    QString type() const { return m_type; }
    QStringList choices() const { return m_choices; }
    // Whether the field is used by `method` (fields without "methods" apply to every method).
    bool appliesTo(const QString &method) const;

    QLabel *label() const { return m_label; }
    QWidget *row() const { return m_row; } // editor + range hint + message
    QWidget *editor() const { return m_editor; }

    // The value as JSON. A number or list that does not parse comes back as the typed text (a
    // string), so nothing the user typed is silently replaced; check() reports it.
    QJsonValue value() const;
    // Fills the editor; returns "" or why the value cannot be shown (wrong type, unknown
    // choice), in which case the editor keeps its previous value.
    QString setValue(const QJsonValue &value);
    // The default shown in the tooltip (adapter fields take the method's own defaults).
    void setDefaultValue(const QJsonValue &value);
    QJsonValue defaultValue() const { return m_default; }

    // What is wrong with the current text as typed ("" = fine): parse errors and range.
    QString check() const;
    void setMessage(const QString &message);
    QString message() const;

Q_SIGNALS:
    void edited(); // by the user, not by setValue()

private:
    void buildEditor();
    void updateToolTip();
    QString rangeText() const;
    QString checkNumber(const QString &text, bool integer) const;

    QString m_path;
    QString m_type;
    QString m_help;
    QStringList m_choices;
    QStringList m_methods;
    double m_min;
    double m_max;
    QJsonValue m_default;
    bool m_settingValue = false;

    QLabel *m_label = nullptr;
    QWidget *m_row = nullptr;
    QWidget *m_editor = nullptr;
    bool m_folder = false; // a folder path: the row has a Browse button
    bool m_files = false; // a list that may hold dataset files: the row has Add files…
    QLabel *m_message = nullptr;
};

// "adam_beta1" -> "Adam beta1", "lr_schedule" -> "LR schedule".
QString humanisedName(const QString &path);
// A JSON value as the text of a line edit ("1e-06", "a, b, c").
QString valueText(const QJsonValue &value);

} // namespace slim::ui
