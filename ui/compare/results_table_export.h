#pragma once
// The compared runs' methods x tasks table over seeds (core/scores/results_table.h), as text and
// saved to a file: the same table `slimctl compare --format md|csv|latex` writes.

#include "compare/compared_run.h"

#include "scores/results_table.h"

#include <QString>

#include <vector>

class QWidget;

namespace slim::ui {

QString resultsTableText(const std::vector<ComparedRun> &runs, scores::TableFormat format);

// Asks for a file (Markdown, CSV or LaTeX, by the chosen filter or the file's suffix) and writes
// the table; an error is shown in a box.
void exportResultsTable(QWidget *parent, const std::vector<ComparedRun> &runs);

} // namespace slim::ui
