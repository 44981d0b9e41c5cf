// JobManager's sweeps: one job per run of the sweep, recorded with the sweep's stable run ids.
#include "job_manager.h"

#include "job_manager_internal.h"
#include "store_thread.h"

#include "jobs/sweep_jobs.h"

#include <nlohmann/json.hpp>

#include <stdexcept>

namespace slim::services {

std::vector<quint64> JobManager::submitSweep(const QString &sweepJson, Placement placement,
                                             QString *error)
{
    std::shared_ptr<const sweeps::Sweep> sweep;
    try {
        sweep = std::make_shared<const sweeps::Sweep>(
            sweeps::sweepFromJson(nlohmann::json::parse(sweepJson.toStdString())));
    } catch (const std::exception &e) {
        if (error)
            *error = QString::fromUtf8(e.what());
        return {};
    }
    std::vector<quint64> ids;
    for (const auto &run : sweep->runs) {
        const auto id = enqueue(JobKind::Train, QString::fromStdString(run.name), Placement::Last);
        find(id)->info.sweepUuid = QString::fromStdString(sweep->uuid);
        const auto index = run.index;
        record(id, [sweep, index](store::RunStore &db, Recording &r) {
            const auto &run = sweep->runs[index];
            const auto sweepId = jobs::recordSweep(db, *sweep);
            db.markInterruptedRuns();
            auto recorded = db.findRunByUuid(run.uuid);
            const auto step = jobs::nextSweepStep(recorded ? db.getRun(*recorded) : std::nullopt);
            if (step == jobs::SweepStep::Busy)
                throw std::runtime_error("it is running in another process");
            if (!recorded)
                recorded = jobs::queueRun(db, jobs::sweepRunRequest(run, sweepId));
            r.runId = *recorded;
            r.alreadyDone = step == jobs::SweepStep::Done;
            r.resume = step == jobs::SweepStep::Resume;
            r.needsBaseModel = !r.alreadyDone && jobs::needsBuiltinModel(*db.getRun(r.runId));
        });
        ids.push_back(id);
    }
    if (placement == Placement::Next) { // the sweep's jobs first, in their order
        for (const auto id : ids)
            std::erase(m_queue, id);
        m_queue.insert(m_queue.begin(), ids.begin(), ids.end());
    }
    return ids;
}

void JobManager::cancelSweep(const QString &sweepUuid)
{
    if (sweepUuid.isEmpty())
        return;
    // Queued ones first, so none of them starts when the running one ends.
    for (const bool running : {false, true})
        for (const auto &job : m_jobs)
            if (job->info.sweepUuid == sweepUuid
                && (job->info.state == JobState::Running) == running)
                requestCancel(job->info.id);
}

} // namespace slim::services
