#pragma once
// One run as the compare view shows it: its detail and the colour it has in every tab.

#include "run_data.h"

#include "scores/run_scores.h"

#include <QColor>
#include <QString>

namespace slim::ui {

struct ComparedRun
{
    services::RunDetailPtr detail; // never null
    QColor colour; // palette::series of its position (by id) in the view
};

// What the run is called in legends, combos and messages: scores::runLabel (its name, or
// "run #<id>" when unnamed), as slimctl calls it.
inline QString runLabel(const store::RunRecord &record)
{
    return QString::fromStdString(scores::runLabel(record));
}

} // namespace slim::ui
