#pragma once
// The compare view's "Table" tab: the methods x tasks table over seeds (one row per
// configuration, runs differing only in seed merged, mean ± sd and the seeds behind each row),
// under the base model's row. The same cells `slimctl compare --format md` writes
// (core/scores/results_table.h); each row's tooltip names its runs and seeds.

#include "compare/compared_run.h"

#include <QWidget>

#include <vector>

class QTableWidget;

namespace slim::ui {

class ResultsTablePanel : public QWidget
{
    Q_OBJECT
public:
    explicit ResultsTablePanel(QWidget *parent = nullptr);

    void setRuns(const std::vector<ComparedRun> &runs);
    QTableWidget *table() const { return m_table; }

private:
    QTableWidget *m_table;
};

} // namespace slim::ui
