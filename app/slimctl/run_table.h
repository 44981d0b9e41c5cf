#pragma once
// Reading recorded runs back: run ids from user input, and the comparison table in the shape
// of the SLIM paper's Tables 1 and 2 (downstream per task; general per task with forgetting).

#include "scores/results_table.h"
#include "store/run_store.h"

#include <nlohmann/json.hpp>

#include <ostream>

namespace slim::cli {

// A run id ("12") or a uuid prefix ("3f9a"); throws std::invalid_argument when none or
// several match.
std::int64_t resolveRunId(store::RunStore &db, const std::string &text);

// The final scores of runs, side by side, with the base model's row and forgetting.
nlohmann::json comparisonJson(store::RunStore &db, const std::vector<std::int64_t> &runIds);
void printComparison(store::RunStore &db, const std::vector<std::int64_t> &runIds, bool json,
                     std::ostream &out);
// The methods x tasks table over seeds (scores/results_table.h) of the runs' final scores.
void printResultsTable(store::RunStore &db, const std::vector<std::int64_t> &runIds,
                       scores::TableFormat format, std::ostream &out);

} // namespace slim::cli
