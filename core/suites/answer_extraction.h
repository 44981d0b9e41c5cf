#pragma once
// What lm-evaluation-harness does with a generated answer before exact match: stop at the
// first stop string, then each filter (GSM8K's strict-match and flexible-extract) extracts an
// answer, and exact_match compares it with the reference after the task's normalisation
// (for GSM8K: ",", "$", everything up to the last "#### " and one final "." removed, both
// lower-cased). The built-in tasks' "first line, stripped" is the Line filter.

#include "harness_tasks.h"

#include <string>
#include <string_view>
#include <vector>

namespace slim::suites {

// The generation cut at the earliest of the stop strings (lm-eval splits on each in turn).
std::string cutAtStop(std::string_view generated, const std::vector<std::string> &until);

struct FilteredAnswer
{
    std::string filter; // "strict-match", "flexible-extract"; Line: "line"
    std::string answer; // "[invalid]" when nothing matched
};

// Every filter of `filter`, in lm-eval's order.
std::vector<FilteredAnswer> extractAnswers(AnswerFilter filter, std::string_view generated);

// lm-eval's exact_match for the filter's task: 1 when prediction and reference agree after
// normalisation. Line: both stripped, compared as they are.
bool exactMatch(AnswerFilter filter, std::string_view prediction, std::string_view reference);

} // namespace slim::suites
