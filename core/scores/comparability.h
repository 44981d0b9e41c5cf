#pragma once
// Why the scores of several runs cannot be read side by side. One sentence per problem, naming
// the runs ("Scores were computed with different scoring modes (A: label_logits; B:
// loglikelihood); they are not comparable."), the same in the compare view and in
// `slimctl compare`. Runs without evaluations are left out of the checks.
//
// Checked, per task both runs scored (on the final evaluation's primary score): the scoring
// mode; then, among runs with the same mode, the prompt template, the number of shots, the
// number of items and the task version (which carries the items' hash). Per run: the general
// suite (forgetting averages different tasks), the base model, and the hash of each dataset
// both runs name. Hashes are named by their first 12 characters.

#include "scores/run_scores.h"

#include <string>
#include <vector>

namespace slim::scores {

enum class FindingKind { ScoringMode, Template, Shots, ItemCount, TaskVersion, GeneralSuite,
                         BaseModel, DataHash };

struct Finding
{
    FindingKind kind = FindingKind::ScoringMode;
    std::string task; // the task concerned; "" for run-wide findings
    std::string message;
};

struct ComparedScores
{
    std::string label; // how the run is named in the message
    RunScores scores;
    std::string datasetHashesJson = "{}"; // the run record's: data hashes and "base_model"
};

std::vector<Finding> comparabilityFindings(const std::vector<ComparedScores> &runs);

} // namespace slim::scores
