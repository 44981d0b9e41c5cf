#pragma once
// The "Details" tab of the Run view: what makes the run reproducible and where its files are —
// the full run spec, the environment it ran in, its checkpoints and artifacts.
// GUI thread only.

#include "run_data.h"

#include <QWidget>

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
    store::RunRecord m_record;
    bool m_hasRecord = false;
};

} // namespace slim::ui
