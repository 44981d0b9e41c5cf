#pragma once
// The Clusters tab of the run view (SLIM runs): how the input clusters that SLIM routes by move
// and fill during training. Four plots: centre drift per layer over steps (log scale optional);
// and, for the chosen layer at the selected step, cluster sizes, the centres' trajectories
// projected onto their principal plane, and the d+ distribution (how far inputs fall outside
// their cluster) for the training batches and the general / downstream probes.
//
// Fed by the RunView: setDetail() with a run loaded from the store, then appendLive() with the
// increments of a live run. Each call redraws with one queued replot per plot.
//
// GUI thread only. Children are owned through Qt parenting.

#include "cluster_index.h"
#include "run_data.h"

#include <QWidget>

#include <string>
#include <vector>

class QCheckBox;
class QComboBox;
class QCustomPlot;
class QCPItemStraightLine;
class QCPTextElement;
class QLabel;
class QStackedWidget;

namespace slim::ui {

class ClusterProjectionPlot;
class RefreshWhenVisible;
class StepScrubber;

class ClusterDriftView : public QWidget
{
    Q_OBJECT
public:
    explicit ClusterDriftView(QWidget *parent = nullptr);

    // Replaces everything with the run's cluster rows (detail->data.clusterLayers/Centres) and
    // shows the last recorded step; the detail is kept alive while shown. nullptr clears.
    void setDetail(const services::RunDetailPtr &detail);
    // Adds the cluster rows of a live increment (copied; rows for a step/probe/layer already
    // shown replace them). While the view is hidden, the redraw waits until it is shown.
    void appendLive(const services::RunData &increment);
    void clear();

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

    ClusterIndex m_index;
    std::string m_method;
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
