#pragma once
// The look shared by the Routing and Clusters tabs: colours, titles and the plot defaults that
// make the eight plots of the two tabs read as one piece. GUI thread only.

#include "plot/qcustomplot_include.h"

#include <QColor>
#include <QString>

#include <string>

class QLabel;
class QStackedWidget;
class QWidget;

namespace slim::ui {

// Perceptually uniform (viridis), so equal steps in routing weight look like equal steps.
QCPColorGradient viridisGradient();

// Distinct colours for up to ten series (Tableau 10); beyond that, evenly spaced along viridis.
QColor seriesColour(int index, int count);

// Fixed colours per probe, so "downstream" is the same orange in every plot.
QColor probeColour(const std::string &probe);

// The colour that marks identity experts (tick labels, captions, bars).
QColor identityColour();

// Antialiasing, a light grid, readable fonts, axis labels; no interaction except the context
// menu (scrubbing is done with the step slider, not by dragging plots).
void stylePlot(QCustomPlot *plot);

// A bold title above the axis rect (layout row 0); returns it so the text can change per step.
QCPTextElement *addPlotTitle(QCustomPlot *plot, const QString &text);

// Moves the legend out of the axis rect into a row below it, `columns` entries per line, so it
// never hides data.
void placeLegendBelow(QCustomPlot *plot, int columns);

// A step axis range over [first, last] with a little room, so end markers are not clipped.
QCPRange stepAxisRange(double first, double last);

// Fills `owner` with `stack`: page 0 the empty-state label (object name "emptyState", grey,
// centred), page 1 `content`. Both tabs switch between the two.
void stackWithEmptyState(QWidget *owner, QStackedWidget *stack, QLabel *empty, QWidget *content);

} // namespace slim::ui
