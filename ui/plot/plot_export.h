#pragma once
// Every plot exports PNG and SVG: a context-menu entry on the plot, and the function it calls.

#include <QString>

class QCustomPlot;
class QWidget;

namespace slim::ui {

// Writes the plot as PNG or SVG, chosen by the file's suffix (".png", ".svg"), at the plot's
// current size (PNG at 2x for sharp text). Returns false with a readable `error`.
bool exportPlot(QCustomPlot *plot, const QString &path, QString *error = nullptr);

// Adds "Export PNG…" / "Export SVG…" to the plot's context menu (file dialog, error box).
// `baseName` is the suggested file name without suffix.
void installPlotExport(QCustomPlot *plot, const QString &baseName);

} // namespace slim::ui
