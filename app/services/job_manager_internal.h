#pragma once
// Private to JobManager (job_manager.cpp, job_manager_sweeps.cpp): a job and what the store
// thread recorded for it.

#include "job_manager.h"

#include "events/run_observer.h"

#include <QThread>

#include <memory>
#include <stop_token>
#include <string>

namespace slim::services {

// Written on the store thread, read there by later work items (a cancellation) and here once the
// recording's `done` arrived.
struct JobManager::Recording
{
    std::int64_t runId = 0;
    std::string name; // the job's title, when the store knows it better
    bool needsBaseModel = false;
    bool resume = false;      // continue the run from its last checkpoint (a sweep's run)
    bool alreadyDone = false; // the run has succeeded: nothing to do (a sweep's run)
};

struct JobManager::Job
{
    JobInfo info;
    std::stop_source stop;
    QThread *thread = nullptr;
    engine::RunOutcome outcome; // written by the job thread, read after it finished
    bool needsBaseModel = false; // waits for the built-in model
    bool recorded = false;       // its run is in the store: it may start
    std::shared_ptr<Recording> recording = std::make_shared<Recording>();
};

} // namespace slim::services
