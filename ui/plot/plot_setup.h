#pragma once
// Every plot of the window is set up here once: fast drawing of wide antialiased lines (Qt's
// stroker is ~20x slower on long polylines; bench/gui) and PNG/SVG export in its context menu.

#include <QString>

class QCustomPlot;

namespace slim::ui {

// `exportName` is the suggested file name of exports, without suffix.
void preparePlot(QCustomPlot *plot, const QString &exportName);

} // namespace slim::ui
