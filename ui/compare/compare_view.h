#pragma once
// Compare: several runs side by side. A trade-off plot of forgetting against downstream score
// (base model at x = 0, Pareto front, click a point to open its run), overlaid curves of one
// metric, the methods x tasks table over seeds (mean ± sd per method), a config diff of two
// runs, a banner when the runs' scores are not comparable
// (core/scores' findings), and "Export table…": the methods x tasks table over seeds as
// Markdown, CSV or LaTeX.
//
// The owner loads each run's detail (RunCatalog::requestDetail) and hands them in, at once or
// as they arrive; runs are shown ordered by id, so colours do not depend on load order.
// GUI thread only; the view keeps shared references to the details.

#include "compare/compared_run.h"

#include "scores/results_table.h"

#include <QList>
#include <QStringList>
#include <QWidget>

#include <cstdint>
#include <vector>

class QFrame;
class QLabel;
class QStackedWidget;
class QTabWidget;

namespace slim::ui {

class ConfigDiffPanel;
class CurvesPanel;
class ResultsTablePanel;
class TradeoffPlot;

class CompareView : public QWidget
{
    Q_OBJECT
public:
    explicit CompareView(QWidget *parent = nullptr);

    void setRuns(const QList<services::RunDetailPtr> &details); // replaces the selection
    void addRun(const services::RunDetailPtr &detail); // replaces a run with its id
    void clear(); // back to the empty state

    QList<std::int64_t> runIds() const; // ascending
    QColor colourOf(std::int64_t runId) const; // invalid when the run is not shown

    // The banner's sentences (empty when hidden).
    QStringList warnings() const { return m_warnings; }
    // The methods x tasks table over seeds of the shown runs (what "Export table" saves).
    QString resultsTable(scores::TableFormat format) const;

    TradeoffPlot *tradeoffPlot() const { return m_tradeoff; }
    CurvesPanel *curvesPanel() const { return m_curves; }
    ConfigDiffPanel *configDiffPanel() const { return m_configDiff; }
    ResultsTablePanel *resultsTablePanel() const { return m_resultsTable; }
    QTabWidget *tabs() const { return m_tabs; }

Q_SIGNALS:
    // The user asked to open a run (clicked its point in the trade-off plot).
    void runActivated(std::int64_t runId);

private:
    void refresh();

    QStackedWidget *m_stack;
    QFrame *m_banner;
    QLabel *m_bannerText;
    QLabel *m_runsLine;
    QTabWidget *m_tabs;
    TradeoffPlot *m_tradeoff;
    CurvesPanel *m_curves;
    ConfigDiffPanel *m_configDiff;
    ResultsTablePanel *m_resultsTable;
    std::vector<ComparedRun> m_runs; // by id
    QStringList m_warnings;
};

} // namespace slim::ui
