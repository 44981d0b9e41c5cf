#pragma once
// Why the scores of the compared runs cannot be read side by side: core/scores'
// comparabilityFindings (scoring modes, templates, shots, item counts, task versions, general
// suites, base models, data hashes), the same sentences `slimctl compare` prints. Pure
// functions of the run details; no thread affinity.

#include "run_data.h"

#include <QStringList>

#include <vector>

namespace slim::ui {

// One sentence per problem, naming the runs ("Scores were computed with different scoring
// modes (A: label_logits; B: loglikelihood); they are not comparable."). Empty when the runs
// compare cleanly. Runs without evaluations are left out of the checks.
QStringList comparabilityWarnings(const std::vector<services::RunDetailPtr> &runs);

} // namespace slim::ui
