#pragma once
// The Clusters tab of the run view (SLIM runs): how the input clusters that SLIM routes by move
// and fill during training. Four plots: centre drift per layer over steps (log scale optional);
// and, for the chosen layer at the selected step, cluster sizes, the centres' trajectories
// projected onto their principal plane, and the d+ distribution (how far inputs fall outside
// their cluster) for the training batches and the general / downstream probes.
//
// Drawn from a RunSession (its cluster index): all again when the session's detail changes, and
// when a live increment brings cluster rows (the newest step selected); each redraw is one
// queued replot per plot, and a hidden view catches up when shown. The view keeps no rows.
//
// GUI thread only. Children are owned through Qt parenting; the session is not owned and must
// outlive the view.

#include <QWidget>

#include <cstdint>
#include <vector>

class QCheckBox;
class QComboBox;
class QCustomPlot;
class QCPItemStraightLine;
class QCPTextElement;
class QLabel;
class QStackedWidget;

namespace slim::services {
class RunSession;
}

namespace slim::ui {

class ClusterProjectionPlot;
class RefreshWhenVisible;
class StepScrubber;

class ClusterDriftView : public QWidget
{
    Q_OBJECT
public:
    explicit ClusterDriftView(const services::RunSession *session, QWidget *parent = nullptr);

private:
    QWidget *buildControls();
    QCustomPlot *buildDriftPlot();
    QCustomPlot *buildSizesPlot();
    QCustomPlot *buildDplusPlot();
    void refresh(bool toLatest); // after the data changed
    void rebuildDrift();
    void showLayer(); // the chosen layer: highlight, projection
    void showStep(); // sizes, trajectories and d+ at the selected step
    void showSizes(std::int64_t layer, std::int64_t step);
    void showDplus(std::int64_t layer, std::int64_t step);
    void showEmptyState();

    const services::RunSession *m_session;
    std::vector<std::int64_t> m_driftLayers; // the layer of each drift graph

    QStackedWidget *m_stack;
    QLabel *m_empty;
    QComboBox *m_layer;
    QCheckBox *m_logScale;
    StepScrubber *m_scrubber;
    QCustomPlot *m_drift;
    QCPItemStraightLine *m_driftCursor;
    QCustomPlot *m_sizes;
    QCPTextElement *m_sizesTitle;
    ClusterProjectionPlot *m_projection;
    RefreshWhenVisible *m_liveRefresh;
    QCustomPlot *m_dplus;
    QCPTextElement *m_dplusTitle;
};

} // namespace slim::ui
