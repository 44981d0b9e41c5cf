#pragma once
// Every plot of the window is set up here once: fast drawing of wide antialiased lines (Qt's
// stroker is ~20x slower on long polylines; bench/gui), PNG/SVG export in its context menu,
// and replots that wait while the plot is hidden (requestReplot).

#include <QString>

class QCustomPlot;

namespace slim::ui {

// `exportName` is the suggested file name of exports, without suffix.
void preparePlot(QCustomPlot *plot, const QString &exportName);

// Replots a prepared plot: queued (several requests in one pass of the event loop draw once)
// if it is visible; a hidden plot (a background tab) is replotted when it is next shown.
void requestReplot(QCustomPlot *plot);

} // namespace slim::ui
