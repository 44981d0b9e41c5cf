#pragma once
// The Runs view: every run in the database (whoever started it, live while it is written), with
// filters, click-to-sort, inline tags and notes, delete, and the selection for compare.
//
// Thread affinity: GUI thread. The catalog is not owned and must outlive the view. Filtering
// happens in SQL (the view sets the catalog's filter); sorting happens in the view. Errors of
// the catalog (RunCatalog::failed) are left to its owner to show, so they appear once however
// many views share the catalog.

#include <QList>
#include <QWidget>

#include <cstdint>
#include <functional>
#include <set>

class QAction;
class QComboBox;
class QHBoxLayout;
class QLabel;
class QLineEdit;
class QTableView;
class QTimer;

namespace slim::services {
class RunCatalog;
}

namespace slim::ui {

class RunSortProxy;
class RunTableModel;

class RunsView : public QWidget
{
    Q_OBJECT
public:
    // Asked before deleting: the question names the runs; true deletes.
    using Confirmer = std::function<bool(const QString &question)>;

    explicit RunsView(services::RunCatalog *catalog, QWidget *parent = nullptr);
    ~RunsView() override;

    // Ids of the selected runs, in the order shown.
    QList<qint64> selectedRunIds() const;
    // Selects the listed runs among those shown (others are ignored); the first becomes current.
    void selectRuns(const QList<qint64> &runIds);

    // For the main window's menus and toolbars. Their shortcuts (Delete, Ctrl+Shift+C, Return)
    // work while the focus is in the table.
    QAction *openAction() const { return m_openAction; }
    QAction *compareAction() const { return m_compareAction; }
    // Compares every listed run of the current run's sweep.
    QAction *compareSweepAction() const { return m_compareSweepAction; }
    QAction *duplicateAction() const { return m_duplicateAction; }
    QAction *resumeAction() const { return m_resumeAction; }
    QAction *editTagsAction() const { return m_editTagsAction; }
    QAction *deleteAction() const { return m_deleteAction; }

    // Default: QMessageBox::question.
    void setDeleteConfirmer(Confirmer confirmer);

    // Column widths, order and sort column of the table, for QSettings.
    QByteArray saveState() const;
    bool restoreState(const QByteArray &state);

    QTableView *tableView() const { return m_table; }
    RunTableModel *runModel() const { return m_model; }

Q_SIGNALS:
    void runActivated(std::int64_t runId);
    void compareRequested(const QList<qint64> &runIds);
    void duplicateRequested(std::int64_t runId);
    void resumeRequested(std::int64_t runId);
    void selectionChanged(const QList<qint64> &runIds);

private:
    void buildFilterBar(QHBoxLayout *bar);
    void buildTable();
    void buildActions();
    void scheduleFilter();
    void applyFilter();
    void onRunsListed();
    void onTagsListed(const QStringList &tags);
    void onSelectionChanged();
    void updateActions();
    void updateCount();

    std::int64_t currentRunId() const; // the current row, else the first selected; 0 when none
    void openCurrent();
    void compareSelected();
    void compareSweep();
    void duplicateCurrent();
    void resumeCurrent();
    void editTags();
    void deleteSelected();

    services::RunCatalog *m_catalog;
    RunTableModel *m_model;
    RunSortProxy *m_proxy;
    QLineEdit *m_search = nullptr;
    QComboBox *m_methodCombo = nullptr;
    QComboBox *m_statusCombo = nullptr;
    QComboBox *m_tagCombo = nullptr;
    QLabel *m_countLabel = nullptr;
    QTableView *m_table = nullptr;
    QTimer *m_searchDelay = nullptr;
    QAction *m_openAction = nullptr;
    QAction *m_compareAction = nullptr;
    QAction *m_compareSweepAction = nullptr;
    QAction *m_duplicateAction = nullptr;
    QAction *m_resumeAction = nullptr;
    QAction *m_editTagsAction = nullptr;
    QAction *m_editNotesAction = nullptr;
    QAction *m_deleteAction = nullptr;
    Confirmer m_confirmer;
    std::set<QString> m_methodsSeen; // grows only: a method filter must not hide the others
    QList<qint64> m_lastSelection;
};

} // namespace slim::ui
