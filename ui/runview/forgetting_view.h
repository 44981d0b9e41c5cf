#pragma once
// The "Forgetting" tab of the Run view: how each general-suite score moved against the base
// model over training (run - base, in percentage points; negative = forgotten), with the
// average over the general choice tasks in bold. Probe evaluations (a fixed subset of each
// task's items) are circles; the final evaluation (full test set) is a diamond.
// GUI thread only.

#include "run_data.h"

#include <QWidget>

class QCPGraph;
class QCPItemText;
class QCustomPlot;
class QLabel;
class QStackedWidget;

namespace slim::ui {

class ForgettingView : public QWidget
{
    Q_OBJECT
public:
    explicit ForgettingView(QWidget *parent = nullptr);

    void setDetail(const services::RunDetailPtr &detail); // replaces everything
    void appendLive(const services::RunData &data); // new evals redraw the plot once
    void clear();

    QCustomPlot *plot() const { return m_plot; }
    // Average change vs base over the general choice tasks, in points (= -100 x forgetting):
    // one point per probe evaluation, and the final evaluation's point. Null when absent.
    QCPGraph *averageGraph() const { return m_average; }
    QCPGraph *averageFinalGraph() const { return m_averageFinal; }
    // False while the empty-state text is shown instead of the plot.
    bool hasData() const;
    QString emptyText() const;

private:
    void rebuild();
    void resetRanges();
    void fitValues(); // value axes to the visible data, keeping zero in view

    QStackedWidget *m_stack;
    QLabel *m_empty;
    QCustomPlot *m_plot;
    QLabel *m_caption;
    QCPGraph *m_average = nullptr;
    QCPGraph *m_averageFinal = nullptr;
    services::RunDetail m_scores; // record, base scores and evals (loaded + live)
};

} // namespace slim::ui
