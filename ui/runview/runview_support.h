#pragma once
// Plot styling shared by the Run view's tabs (CurvesView, ScoresView, ForgettingView).
// GUI thread only.

#include <QString>

class QCPAxis;
class QCPItemText;
class QCPRange;
class QCustomPlot;

namespace slim::ui::runplot {

// Axis labels, fonts, a title row (none for an empty title), a legend below the axis rect (see
// placeLegend) and horizontal-only drag/zoom (steps are the shared axis; the value axes follow the
// visible data, see fitValueAxes).
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

// Lays the legend's entries out in as many columns as fit `width` pixels (at least one), so
// no name is cut off. Call after the entries change and when the plot is resized.
void fitLegendColumns(QCustomPlot *plot, int width);

} // namespace slim::ui::runplot
