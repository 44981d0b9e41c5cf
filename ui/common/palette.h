#pragma once
// The one series palette of every plot, and the fixed colours the plots share. Described in
// ui/README.md.

#include <QColor>
#include <QString>

namespace slim::ui::palette {

// Tableau 10: a qualitative palette whose ten colours stay distinguishable for the common
// forms of colour blindness. Series i (a run, a method, a task, a layer) gets colour i,
// cycling after ten; any integer is accepted.
inline constexpr int kSeriesCount = 10;
QColor series(int index);

// Reference lines and markers that are not a series: the base model's score, zero lines.
QColor reference();
// A line that summarises the series (the Pareto front, an average): near-black.
QColor emphasis();
// Axis lines and ticks, and the light grid behind the data.
QColor axis();
QColor grid();
// The legend box: translucent white over the data, with a light border.
QColor legendFill();
QColor legendBorder();
// Minor ticks; the dashed cursor of a step scrubber; cells of a heatmap with no data.
QColor subTick();
QColor cursor();
QColor noData();
// Identity experts (the SLIM-specific part of a routing plot).
QColor identity();
// Secondary text (captions, hints, "no data yet"), and errors in forms and details (the
// failed status's red).
QColor mutedText();
QColor error();
QColor errorFill(); // the background of a marked error
// A warning banner: fill, border and text.
QColor warningFill();
QColor warningBorder();
QColor warningText();
// "color: #rrggbb;" for a style sheet.
QString textStyle(const QColor &colour);

} // namespace slim::ui::palette
