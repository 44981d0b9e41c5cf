#pragma once
// The primary scores of a run over optimizer steps, in the Curves tab: the downstream tasks
// (what the run trains for) and the general suite (what it may forget) as two plots behind a
// selector, so each shows a handful of series at a laptop's size. Probe evaluations (a fixed
// subset of each task's items) are circles on a line, the final evaluation (full test set) a
// diamond. The base model's score on the same items is drawn on demand ("Base model", off by
// default), hollow in the task's colour beside the run's. Percent on the left axis; bits-per-
// byte tasks on the right. The legend (one entry per task) sits under the plot, in as many
// columns as its names fit.
//
// Drawn from the RunSession's primary scores when the owner calls rebuild(); the key (step)
// range is the owner's, the value axes follow the visible data (fitValueAxes).
// GUI thread only; the session is not owned and must outlive the view.

#include <QWidget>

class QCheckBox;
class QCustomPlot;
class QCPItemText;
class QStackedWidget;
class QToolButton;

namespace slim::services {
class RunSession;
}

namespace slim::ui {

class ScoresView : public QWidget
{
    Q_OBJECT
public:
    enum class Tasks { Downstream, General };

    explicit ScoresView(const services::RunSession *session, QWidget *parent = nullptr);

    // Redraws both plots from the session's primary scores (queued replots). Until the user
    // picks a page, the scores choose it: downstream when there are any, else general.
    void rebuild();
    // Fits the value axes of both plots to their data in the current key range (percent kept
    // within 0..100, plus room for the markers).
    void fitValueAxes();

    QCustomPlot *plot(Tasks tasks) const;
    QCustomPlot *downstreamPlot() const { return plot(Tasks::Downstream); }
    QCustomPlot *generalPlot() const { return plot(Tasks::General); }
    Tasks shownTasks() const;
    void showTasks(Tasks tasks); // as the selector does: the page stays until changed
    bool baseShown() const;
    void setBaseShown(bool shown);

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    struct Page
    {
        QCustomPlot *plot = nullptr;
        QCPItemText *empty = nullptr;
        QToolButton *button = nullptr;
        int taskCount = 0;
    };
    Page &page(Tasks tasks);
    const Page &page(Tasks tasks) const;
    void showPage(Tasks tasks);
    void fillPlots();
    void fitLegends();

    const services::RunSession *m_session;
    Page m_downstream;
    Page m_general;
    QStackedWidget *m_stack;
    QCheckBox *m_showBase;
    bool m_pageChosen = false; // by the user; until then the page follows the data
};

} // namespace slim::ui
