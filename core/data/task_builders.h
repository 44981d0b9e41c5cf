#pragma once
// Internal: one builder per task, called by buildTask (task_catalog.cpp), which fills sha256.

#include "data/task_catalog.h"

namespace slim::data {

Task buildBrownHeldOutTask(const DataLocator &locator);
Task buildCapitalsTask(const DataLocator &locator, const TaskOptions &options);
Task buildContinentsTask(const DataLocator &locator, const TaskOptions &options);

Task buildNameGenderTask(const DataLocator &locator, const TaskOptions &options);
Task buildSentimentTask(const DataLocator &locator, const TaskOptions &options);
Task buildWordClassTask(const DataLocator &locator, const TaskOptions &options);
Task buildReversalTask(const TaskOptions &options);

} // namespace slim::data
