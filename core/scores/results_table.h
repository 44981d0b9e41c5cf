#pragma once
// The methods x tasks table people paste into a paper: one row per configuration (runs that
// differ only in seed, seed_groups.h) with each task's final primary score, the downstream and
// general averages and forgetting as mean ± sd over seeds, under a row of the base model's
// scores. Built here once; written as Markdown, CSV or LaTeX by `slimctl compare --format`.

#include "scores/seed_groups.h"

#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace slim::scores {

struct ResultsColumn
{
    std::string task;
    bool general = false;
    bool bitsPerByte = false; // a value in bits per byte, else a fraction shown in percent
    bool partialCredit = false; // the task's char_accuracy, beside its exact match
};

struct ResultsRow
{
    // the method ("slim"), or when methods repeat the first run's name without a trailing
    // " seed <n>" ("benchmark slim-no-l1")
    std::string label;
    std::vector<std::int64_t> seeds;
    std::vector<std::optional<Spread>> cells; // per column; nullopt = not scored
    std::optional<Spread> downstream, general, forgetting;
};

struct ResultsTable
{
    // downstream tasks, then general tasks, by name; a generation task's partial credit follows it
    std::vector<ResultsColumn> columns;
    std::optional<ResultsRow> base;     // the base model's scores (no averages but its own)
    std::vector<ResultsRow> rows;       // configurations, in the order of their first run
    // "per-run standard error": for each task, the mean over the runs of the standard error of
    // their own final score (how much one run's number moves with its test items); no averages.
    std::optional<ResultsRow> runStdError;
};

// One compared run: its record and the scores readRunScores gives (final evaluations).
struct TableRun
{
    store::RunRecord record;
    RunScores scores;
};
ResultsTable resultsTable(const std::vector<TableRun> &runs);

enum class TableFormat { Markdown, Csv, Latex };
// "md", "csv", "latex"; nullopt otherwise.
std::optional<TableFormat> tableFormatFromName(std::string_view name);
// Percent with one decimal ("61.2 ± 1.3"; "61.2" for one seed), bits per byte with three;
// "-" where a row has no value. CSV gives mean, sd and n in columns of their own.
void writeResultsTable(const ResultsTable &table, TableFormat format, std::ostream &out);

// The titles of the columns after the method (tasks, "downstream avg", "general avg",
// "forgetting") and a row's cells under them, as the Markdown table shows them (the window's
// table shows the same texts).
std::vector<std::string> resultsHeaders(const ResultsTable &table);
std::vector<std::string> resultsCells(const ResultsTable &table, const ResultsRow &row,
                                      std::string_view plusMinus = "±");

} // namespace slim::scores
