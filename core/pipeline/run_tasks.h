#pragma once
// A run's tasks from its spec: what it trains on (data.tasks: built-in tasks and users' files,
// suites/training_set.h) and what it scores (general tasks, lm-eval suites, the built-in
// downstream tasks), read and checked before any weight is loaded.

#include "experiment.h"
#include "events/run_observer.h"
#include "train/train_options.h"
#include "tokenizer/tokenizer.h"

#include <vector>

namespace slim::engine {

struct RunTasks
{
    std::vector<data::Task> training;  // data.tasks, in order (built-in tasks and files)
    std::vector<data::Task> evaluated; // general tasks and suites, built-in downstream tasks
};

// Throws std::invalid_argument (an unknown task, a task scored twice) or data::DataError (a bad
// record, an empty suite), naming the field or file and line.
RunTasks buildTasks(const ExperimentContext &c, const tok::Tokenizer &tokenizer);

// Logs how many of `examples` (what the run trains on) are cut to schedule.max_length; nothing
// when none is.
void reportTruncation(const std::vector<data::TextExample> &examples,
                      const tok::Tokenizer &tokenizer, const TrainOptions &schedule,
                      RunObserver &observer);

} // namespace slim::engine
