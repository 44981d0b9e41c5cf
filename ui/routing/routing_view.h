#pragma once
// The Routing tab of the run view: how each layer's router spreads tokens over its experts.
// A layer x expert heatmap (mean routing weight or selection share, identity experts marked)
// for one probe ("train", "general", "downstream") and routing site ("mlp", or a projection for
// per-projection routers such as MixLoRA and LoRAMoE), a step scrubber with Play, and the
// identity routing per layer: at the selected step (bars) and over training (lines).
//
// Fed by the RunView: setDetail() with a run loaded from the store, then appendLive() with the
// increments of a live run. Each call redraws with one queued replot per plot.
//
// GUI thread only. Children are owned through Qt parenting.

#include "routing_index.h"
#include "run_data.h"

#include <QWidget>

#include <string>

class QCheckBox;
class QComboBox;
class QCustomPlot;
class QCPBars;
class QCPItemStraightLine;
class QCPTextElement;
class QLabel;
class QStackedWidget;

namespace slim::ui {

class RefreshWhenVisible;
class RoutingHeatmap;
class StepScrubber;

class RoutingView : public QWidget
{
    Q_OBJECT
public:
    explicit RoutingView(QWidget *parent = nullptr);

    // Replaces everything with the run's routing rows (detail->data.routingLayers/Experts);
    // shows the last recorded step. nullptr clears.
    void setDetail(const services::RunDetailPtr &detail);
    // Adds the routing rows of a live increment (rows for a probe/site/step/layer already shown
    // replace them); with "Follow latest" the newest step is selected. While the view is hidden,
    // the redraw waits until it is shown.
    void appendLive(const services::RunData &increment);
    void clear();

private:
    QWidget *buildControls();
    QCustomPlot *buildIdentityBars();
    QCustomPlot *buildIdentityTrend();
    void refreshChoices(bool toLatest); // combos from the index, then showSelection
    void showSelection(bool toLatest); // lays the plots out for probe, site and colour
    void showStep(); // the selected step's values
    void showEmptyState();

    RoutingIndex m_index;
    std::string m_method;
    const RoutingIndex::Site *m_site = nullptr; // in m_index; reset by clear()

    QStackedWidget *m_stack;
    QLabel *m_empty;
    QComboBox *m_probe;
    QComboBox *m_siteCombo;
    QComboBox *m_colour;
    StepScrubber *m_scrubber;
    RoutingHeatmap *m_heatmap;
    QCustomPlot *m_bars;
    QCPTextElement *m_barsTitle;
    QCPBars *m_massBars;
    QCPBars *m_rateBars;
    QCustomPlot *m_trend;
    QCPItemStraightLine *m_trendCursor;
    RefreshWhenVisible *m_liveRefresh;
};

} // namespace slim::ui
