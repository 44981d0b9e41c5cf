#pragma once
// The forgetting-versus-downstream scatter of the compared runs: each run's probe evaluations
// as a thin trail in step order, its final evaluation as a big labelled marker, the base model
// as the line x = 0, and the Pareto front (downstream up, forgetting down) as a staircase with
// its points ringed. Runs that differ only in seed (core/scores' seed groups) also get their
// mean final point as a cross with ±1 sd bars on both axes, each seed's own marker still shown.
// Clicking a point activates its run. GUI thread only.
//
// Units: x is forgetting in percentage points (100 * mean(base - run) over the general choice
// tasks), y the mean downstream score in percent, both from services::tradeoff.

#include "compare/compared_run.h"

#include <QPoint>
#include <QWidget>

#include <cstdint>
#include <vector>

class QCheckBox;
class QCPGraph;
class QCPRange;
class QCustomPlot;
class QLabel;
class QMouseEvent;

namespace slim::ui {

class TradeoffPlot : public QWidget
{
    Q_OBJECT
public:
    explicit TradeoffPlot(QWidget *parent = nullptr);

    // Redraws from scratch; the runs' order sets the legend order.
    void setRuns(const std::vector<ComparedRun> &runs);

    // The front over the final points only (default) or over every evaluation.
    void setIncludeCheckpoints(bool include);
    bool includeCheckpoints() const;

    // What is drawn, for tests and export: the plot, a run's final marker (one data point,
    // key = forgetting points, value = downstream percent; null when the run has no final
    // point with both values) and the ringed points of the front.
    QCustomPlot *plot() const { return m_plot; }
    QCPGraph *finalGraph(std::int64_t runId) const;
    QCPGraph *frontGraph() const { return m_frontMarks; }
    // One graph per seed group of two or more runs: its mean final point (error bars attached).
    const std::vector<QCPGraph *> &seedGroupGraphs() const { return m_seedGroups; }

Q_SIGNALS:
    // A point was clicked: open its run.
    void runActivated(std::int64_t runId);

private:
    struct Point
    {
        std::int64_t runId = 0;
        int run = 0; // index into m_runs
        std::int64_t step = 0;
        bool isFinal = false;
        double x = 0; // forgetting, points
        double y = 0; // downstream, percent
    };

    void rebuild();
    void drawFront();
    void drawSeedSpread();
    void resetRanges();
    const Point *pointAt(const QPoint &pixel) const;
    QString toolTip(const Point &p) const;
    void onMouseMove(QMouseEvent *event);
    void onMouseRelease(QMouseEvent *event);

    QCustomPlot *m_plot;
    QCheckBox *m_includeCheckpoints;
    QLabel *m_note;
    std::vector<ComparedRun> m_runs;
    std::vector<Point> m_points;
    std::vector<std::pair<std::int64_t, QCPGraph *>> m_finals;
    QCPGraph *m_frontLine = nullptr;
    QCPGraph *m_frontMarks = nullptr;
    std::vector<QCPGraph *> m_seedGroups;
    QPoint m_pressPos;
};

} // namespace slim::ui
