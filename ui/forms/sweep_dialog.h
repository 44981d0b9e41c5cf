#pragma once
// "New sweep": a base run (a preset, then the generated SpecForm), axes (a run spec field and
// its values per row), the sweep's runs and problems as you type (services::previewSweep), how
// many runs at once, Open/Save of sweep files, and Start now / Queue. Like NewRunDialog it only
// composes: whoever listens to submitted() queues the sweep (JobManager::submitSweep).
// GUI thread only.

#include <QDialog>
#include <QJsonArray>
#include <QJsonObject>
#include <QString>

class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace slim::ui {

class SpecForm;

class SweepDialog : public QDialog
{
    Q_OBJECT

public:
    explicit SweepDialog(QWidget *parent = nullptr);

    // {"name", "base", "axes"}: the base is the form's full spec without its name.
    QJsonObject sweep() const;
    // Loads a sweep document (an Open… of a sweep file does this); returns what it could not
    // hold ("" when everything).
    QString setSweep(const QJsonObject &sweep);
    // Adds an axis row; `values` as typed ("1e-4, 2e-4", or a JSON array).
    void addAxis(const QString &path, const QString &values);
    // A cell's text as axis values: a JSON array as it is, else comma-separated items, each a
    // JSON value when it parses as one ("2", "true", "[1,2]") and a string otherwise.
    static QJsonArray parseValues(const QString &text);

    // For tests and the caller's wiring.
    QLineEdit *nameEdit() const { return m_name; }
    QComboBox *presetCombo() const { return m_presets; }
    SpecForm *baseForm() const { return m_base; }
    QTableWidget *axesTable() const { return m_axes; }
    QLabel *countLabel() const { return m_count; }
    QListWidget *issueList() const { return m_issues; }
    QListWidget *runList() const { return m_runs; }
    QSpinBox *concurrencySpin() const { return m_concurrency; }
    QPushButton *startButton() const { return m_start; }
    QPushButton *queueButton() const { return m_queue; }

Q_SIGNALS:
    // `sweepJson` is a valid sweep; `startNow` false = queue it; `runsAtOnce` >= 1.
    void submitted(const QString &sweepJson, bool startNow, int runsAtOnce);

private:
    void presetChosen(int index);
    void refresh();
    void openFile();
    void saveFile();

    QLineEdit *m_name = nullptr;
    QComboBox *m_presets = nullptr;
    SpecForm *m_base = nullptr;
    QTableWidget *m_axes = nullptr;
    QLabel *m_count = nullptr;
    QListWidget *m_issues = nullptr;
    QListWidget *m_runs = nullptr;
    QSpinBox *m_concurrency = nullptr;
    QPushButton *m_start = nullptr;
    QPushButton *m_queue = nullptr;
    QString m_folder; // of the sweep file opened, for a base given as a file name
    bool m_loading = false;
};

} // namespace slim::ui
