#pragma once
// The Jobs dock: the queue with progress bars, rate, ETA and state; cancel; the log of the
// selected job. GUI thread.

#include "job_manager.h"

#include <QWidget>

class QAction;
class QPlainTextEdit;
class QTableView;

namespace slim::ui {

class JobTableModel;

class JobsView : public QWidget
{
    Q_OBJECT
public:
    explicit JobsView(services::JobManager *jobs, QWidget *parent = nullptr);

    QAction *cancelAction() const { return m_cancel; }
    QTableView *table() const { return m_table; }
    JobTableModel *model() const { return m_model; }

Q_SIGNALS:
    void runActivated(std::int64_t runId); // double-click: open the job's run

private:
    void updateActions();
    quint64 selectedJob() const; // 0 = none

    services::JobManager *m_jobs;
    JobTableModel *m_model;
    QTableView *m_table;
    QPlainTextEdit *m_log;
    QAction *m_cancel;
};

} // namespace slim::ui
