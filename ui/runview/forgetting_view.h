#pragma once
// The "Forgetting" tab of the Run view: how each general-suite score moved against the base
// model over training (run - base, in percentage points; negative = forgotten), with the
// average over the general choice tasks in bold. Probe evaluations (a fixed subset of each
// task's items) are circles; the final evaluation (full test set) is a diamond. Drawn from a
// RunSession's scores: again when its detail changes or live evals change them.
// GUI thread only; the session is not owned and must outlive the view.

#include <QWidget>

class QCPGraph;
class QCPItemText;
class QCustomPlot;
class QLabel;
class QStackedWidget;

namespace slim::services {
class RunSession;
}

namespace slim::ui {

class ForgettingView : public QWidget
{
    Q_OBJECT
public:
    explicit ForgettingView(const services::RunSession *session, QWidget *parent = nullptr);

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
    const services::RunSession *m_session;
};

} // namespace slim::ui
