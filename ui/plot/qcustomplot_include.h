#pragma once
// Include QCustomPlot through this header only: the targets build with QT_NO_KEYWORDS, and
// qcustomplot.h uses the `signals`/`slots` keywords (build-notes.md, pitfall 3).

#define signals Q_SIGNALS
#define slots Q_SLOTS
#define emit Q_EMIT
#define foreach Q_FOREACH
#include <qcustomplot.h>
#undef signals
#undef slots
#undef emit
#undef foreach
