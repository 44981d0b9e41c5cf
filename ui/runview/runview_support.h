#pragma once
// Plot styling and live-eval bookkeeping shared by the Run view's tabs (CurvesView,
// ForgettingView). GUI thread only.

#include "run_data.h"

#include <QColor>
#include <QString>

#include <vector>

class QCPAxis;
class QCPItemText;
class QCPRange;
class QCustomPlot;

namespace slim::ui::runplot {

// A colour-blind-friendly categorical palette (Tableau 10), cycling.
QColor seriesColor(int index);

// Axis labels, fonts, a title row, a legend below the axis rect (see placeLegend) and
// horizontal-only drag/zoom (steps are the shared axis; the value axes follow the visible data, see
// fitValueAxes).
void stylePlot(QCustomPlot *plot, const QString &title, const QString &xLabel,
               const QString &yLabel);

// Shows the legend under the axis rect when `show` and it has entries, else removes it from
// the layout. Call after the plot's graphs change.
void placeLegend(QCustomPlot *plot, bool show);

// A grey message centred in the axis rect, for empty states ("No evaluations yet").
QCPItemText *addCentredText(QCustomPlot *plot);

// Fits every visible value axis of the plot to the data of its graphs inside the current key
// range, with a margin (multiplicative on log axes). Axes without data keep their range.
void fitValueAxes(QCustomPlot *plot);

// Evals arriving live may repeat rows already loaded from the store (the subscription starts
// before the load): a row with the same step, task, split, metric, mode and final flag
// replaces the existing one. Returns true when anything changed.
bool mergeEvals(std::vector<store::EvalRow> &into, const std::vector<store::EvalRow> &more);

// A detail holding only what the score functions read (record, base scores, evals), so a
// view can keep and grow it without copying series, routing or cluster rows.
services::RunDetail scoreSource(const services::RunDetail &detail);

} // namespace slim::ui::runplot
