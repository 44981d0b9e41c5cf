#include "jobs/sweep_jobs.h"

namespace slim::jobs {

using store::RunStatus;

std::int64_t recordSweep(store::RunStore &db, const sweeps::Sweep &sweep)
{
    store::SweepRecord record;
    record.uuid = sweep.uuid;
    record.name = sweep.name;
    record.specJson = sweep.toJson().dump();
    record.runCount = std::int64_t(sweep.runs.size());
    return db.createSweep(record);
}

RunRequest sweepRunRequest(const sweeps::SweepRun &run, std::int64_t sweepId)
{
    RunRequest request;
    request.specJson = run.spec.dump();
    request.uuid = run.uuid;
    request.sweepId = sweepId;
    request.sweepIndex = std::int64_t(run.index);
    return request;
}

SweepStep nextSweepStep(const std::optional<store::RunRecord> &recorded)
{
    if (!recorded || recorded->status == RunStatus::Queued)
        return SweepStep::Start;
    switch (recorded->status) {
    case RunStatus::Succeeded: return SweepStep::Done;
    case RunStatus::Running: return SweepStep::Busy;
    default: return SweepStep::Resume;
    }
}

std::string_view sweepStepName(SweepStep step)
{
    switch (step) {
    case SweepStep::Done: return "done";
    case SweepStep::Start: return "start";
    case SweepStep::Resume: return "resume";
    case SweepStep::Busy: return "running";
    }
    return "?";
}

std::vector<PlannedSweepRun> planSweep(store::RunStore &db, const sweeps::Sweep &sweep)
{
    std::vector<PlannedSweepRun> plan;
    for (const auto &run : sweep.runs) {
        PlannedSweepRun entry;
        entry.run = &run;
        if (const auto id = db.findRunByUuid(run.uuid))
            entry.recorded = db.getRun(*id);
        entry.step = nextSweepStep(entry.recorded);
        plan.push_back(std::move(entry));
    }
    return plan;
}

} // namespace slim::jobs
