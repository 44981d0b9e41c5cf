#pragma once
// The "Details" tab of the Run view: what makes the run reproducible and where its files are —
// the full run spec, the environment it ran in, its checkpoints and artifacts. Drawn from a
// RunSession: its loaded detail, and its record as the run list refreshes it.
// GUI thread only; the session is not owned and must outlive the view.

#include <QWidget>

#include <cstdint>

class QGroupBox;
class QPlainTextEdit;
class QPushButton;
class QTableWidget;

namespace slim::services {
class RunSession;
}

namespace slim::ui {

class DetailsView : public QWidget
{
    Q_OBJECT
public:
    explicit DetailsView(const services::RunSession *session, QWidget *parent = nullptr);

    QString specText() const; // as shown (pretty-printed JSON)
    // The environment table's value for a field label ("Device", "Git commit"...), or a null
    // string when the row is absent.
    QString environmentValue(const QString &field) const;
    QTableWidget *environmentTable() const { return m_environment; }
    QTableWidget *checkpointsTable() const { return m_checkpoints; }
    QTableWidget *artifactsTable() const { return m_artifacts; }
    QPushButton *pinButton() const { return m_pin; }
    QPushButton *pruneButton() const { return m_prune; }
    QString checkpointsTitle() const; // "Checkpoints: 3 kept, run folder 12.30 MiB on disk ..."

Q_SIGNALS:
    // The user pinned or unpinned the selected checkpoint, or asked to prune the run's
    // checkpoints by its retention policy (the caller does it: RunCatalog).
    void checkpointPinRequested(std::int64_t runId, std::int64_t step, bool pinned);
    void pruneRequested(std::int64_t runId);

private:
    void reload(); // the session's detail changed
    void fillEnvironment();
    void fillFiles();
    void openFolderOf(QTableWidget *table, int pathColumn);

    QPlainTextEdit *m_spec;
    QPushButton *m_copy;
    QTableWidget *m_environment;
    QTableWidget *m_checkpoints;
    QTableWidget *m_artifacts;
    QPushButton *m_openCheckpoints;
    QPushButton *m_openArtifacts;
    QPushButton *m_pin;
    QPushButton *m_prune;
    QGroupBox *m_checkpointsBox = nullptr;
    void updatePinButton();
    const services::RunSession *m_session;
};

} // namespace slim::ui
