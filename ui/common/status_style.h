#pragma once
// How a run status reads wherever the window shows one (the Runs table, a run's badge, the
// Jobs dock): its word and its colour. One scheme for the whole UI, described in ui/README.md.
// The colour is never the only cue: the status word is always shown beside or on it.
//
// Thread affinity: GUI thread (statusColour reads the application palette).

#include "job_manager.h"
#include "store/run_records.h"

#include <QColor>
#include <QString>

namespace slim::ui {

// "Queued", "Running", "Succeeded", "Failed", "Cancelled", "Interrupted" (translatable).
QString statusText(store::RunStatus status);

// The status colour for text on the application's base colour: a darker shade on light
// palettes, a lighter one on dark palettes (contrast >= 4.5:1 on white or near-black).
QColor statusColour(store::RunStatus status);

// The status as a filled badge: the fill and the text colour that reads on it; the same on
// every palette.
QColor statusFillColour(store::RunStatus status);
QColor statusOnFillColour(store::RunStatus status);

// A QLabel style sheet for a status badge: bold `statusOnFillColour` text on a rounded
// `statusFillColour` background.
QString statusBadgeStyleSheet(store::RunStatus status);

// The run status a job's state stands for (a job records one run), so the Jobs dock colours a
// job like the Runs table colours its run.
store::RunStatus runStatusOf(services::JobState state);

} // namespace slim::ui
