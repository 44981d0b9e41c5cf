#pragma once
// The Routing tab of the run view: how each layer's router spreads tokens over its experts.
// A layer x expert heatmap (mean routing weight or selection share, identity experts marked)
// for one probe ("train", "general", "downstream") and routing site ("mlp", or a projection for
// per-projection routers such as MixLoRA and LoRAMoE), a step scrubber with Play, and the
// identity routing per layer: at the selected step (bars) and over training (lines).
//
// Drawn from a RunSession (its routing index): all again when the session's detail changes, the
// choices and the selected step when a live increment brings routing rows (with "Follow latest"
// the newest step is selected); each redraw is one queued replot per plot, and a hidden view
// catches up when shown. The view keeps no rows: it points into the session's index.
//
// GUI thread only. Children are owned through Qt parenting; the session is not owned and must
// outlive the view.

#include "routing_index.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QCustomPlot;
class QCPBars;
class QCPItemStraightLine;
class QCPTextElement;
class QLabel;
class QStackedWidget;

namespace slim::services {
class RunSession;
}

namespace slim::ui {

class RefreshWhenVisible;
class RoutingHeatmap;
class StepScrubber;

class RoutingView : public QWidget
{
    Q_OBJECT
public:
    explicit RoutingView(const services::RunSession *session, QWidget *parent = nullptr);

private:
    QWidget *buildControls();
    QCustomPlot *buildIdentityBars();
    QCustomPlot *buildIdentityTrend();
    void refreshChoices(bool toLatest); // combos from the index, then showSelection
    void showSelection(bool toLatest); // lays the plots out for probe, site and colour
    void showStep(); // the selected step's values
    void showEmptyState();
    void reload(); // the session's detail changed

    const services::RunSession *m_session;
    const services::RoutingIndex::Site *m_site = nullptr; // in the session's index

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
