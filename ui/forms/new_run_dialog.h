#pragma once
// "New run": a preset picker and tags, the generated SpecForm and the same spec as editable JSON
// (kept in sync both ways), the list of problems, and Start now / Queue. The dialog only
// composes the spec; whoever listens to submitted() queues or starts it (JobManager).
// GUI thread only.

#include <QDialog>
#include <QString>
#include <QStringList>

class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QTabWidget;

namespace slim::ui {

class SpecForm;

class NewRunDialog : public QDialog
{
    Q_OBJECT

public:
    explicit NewRunDialog(QWidget *parent = nullptr);

    // "Duplicate and edit": loads an existing run's spec. The run is renamed "<name> (copy)"
    // unless `name` is given. Text that is not a JSON object lands in the JSON tab with its error.
    void setSpecJson(const QString &specJson, const QString &name = {});
    // The spec that would be submitted (the form's full spec, indented JSON).
    QString specJson() const;
    void setTags(const QStringList &tags);
    QStringList tags() const; // the tags field split at commas, trimmed, without duplicates
    // Loads a preset by name (as choosing it in the combo does); false for an unknown name.
    bool selectPreset(const QString &name);

    // For tests and for the caller's wiring.
    SpecForm *form() const { return m_form; }
    QComboBox *presetCombo() const { return m_presets; }
    QLineEdit *tagsEdit() const { return m_tags; }
    QTabWidget *tabs() const { return m_tabs; }
    QPlainTextEdit *jsonEditor() const { return m_json; }
    QString jsonError() const; // "" or "Line 3, column 7: ..." for the JSON tab's text
    QListWidget *issueList() const { return m_issues; }
    QPushButton *startButton() const { return m_start; }
    QPushButton *queueButton() const { return m_queue; }
    // The base model's description and the memory estimate, as shown under the form.
    QLabel *preflightLabel() const { return m_preflight; }

Q_SIGNALS:
    // `specJson` is valid for services::validateSpec(); `startNow` false = queue it.
    void submitted(const QString &specJson, const QStringList &tags, bool startNow);

private:
    void presetChosen(int index);
    void formChanged();
    void jsonEdited();
    void showJsonError(const QString &message, int line);
    void refreshJsonText();
    void updateState();
    void updatePreflight();
    void submit(bool startNow);

    SpecForm *m_form = nullptr;
    QComboBox *m_presets = nullptr;
    QLineEdit *m_tags = nullptr;
    QTabWidget *m_tabs = nullptr;
    QPlainTextEdit *m_json = nullptr;
    QLabel *m_jsonError = nullptr;
    QListWidget *m_issues = nullptr;
    QLabel *m_preflight = nullptr;
    QString m_describedBase, m_baseText; // the last base model described, and what it is
    bool m_baseOk = true;
    QPushButton *m_start = nullptr;
    QPushButton *m_queue = nullptr;
    bool m_applyingJson = false; // the form is being filled from the JSON text
    bool m_writingJson = false; // the JSON text is being rewritten from the form
    bool m_loadingPreset = false;
};

} // namespace slim::ui
