#pragma once
// One run as the compare view shows it: its detail and the colour it has in every tab.

#include "run_data.h"

#include <QColor>
#include <QString>

namespace slim::ui {

struct ComparedRun
{
    services::RunDetailPtr detail; // never null
    QColor colour; // palette::series of its position (by id) in the view
};

// What the run is called in legends, combos and messages: its name, or its id when unnamed.
inline QString runLabel(const store::RunRecord &record)
{
    return record.name.empty() ? QStringLiteral("run #%1").arg(record.id)
                               : QString::fromStdString(record.name);
}

} // namespace slim::ui
