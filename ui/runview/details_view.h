#pragma once
// The "Details" tab of the Run view: what makes the run reproducible and where its files are —
// the full run spec, the environment it ran in, its checkpoints and artifacts.
// GUI thread only.

#include "run_data.h"

#include <QWidget>

class QGroupBox;
class QPlainTextEdit;
class QPushButton;
class QTableWidget;

namespace slim::ui {

class DetailsView : public QWidget
{
    Q_OBJECT
public:
    explicit DetailsView(QWidget *parent = nullptr);

    void setDetail(const services::RunDetailPtr &detail); // replaces everything
    // Status, progress, finish time and error of the shown run from the live run list.
    void setRecord(const store::RunSummary &summary);
    void clear();

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
    void fillEnvironment();
    void fillFiles(const services::RunDetail &detail);
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
    store::RunRecord m_record;
    bool m_hasRecord = false;
};

} // namespace slim::ui
