#pragma once
// One run as the compare view shows it: its detail and the colour it has in every tab.

#include "run_data.h"

#include <QColor>
#include <QString>

namespace slim::ui {

struct ComparedRun
{
    services::RunDetailPtr detail; // never null
    QColor colour;
};

// What the run is called in legends, combos and messages: its name, or its id when unnamed.
inline QString runLabel(const store::RunRecord &record)
{
    return record.name.empty() ? QStringLiteral("run #%1").arg(record.id)
                               : QString::fromStdString(record.name);
}

// Tableau 10, a qualitative palette whose colours stay distinguishable for most forms of colour
// blindness; the compare view gives the i-th run (by id) colour i, cycling after ten.
inline QColor comparePaletteColour(int index)
{
    static const QRgb kTableau10[] = {0x4E79A7, 0xF28E2B, 0xE15759, 0x76B7B2, 0x59A14F,
                                      0xEDC948, 0xB07AA1, 0xFF9DA7, 0x9C755F, 0xBAB0AC};
    const int n = int(sizeof(kTableau10) / sizeof(kTableau10[0]));
    return QColor(kTableau10[((index % n) + n) % n]);
}

} // namespace slim::ui
