#pragma once
// Runs the workbench's jobs (fine-tuning runs, resumes, base-model builds) in the background:
// one dedicated thread per job, at most maxConcurrent() heavy jobs at once (1 by default), the
// rest queued in order. Every job goes through slim_jobs (the same path as slimctl) and is
// recorded in the run store; live rows go to the MetricStream. The manager itself reads and
// writes the store only on its StoreThread, never on the GUI thread; every status change of a
// run is made by slim_jobs.
//
// Thread affinity: lives on the GUI (or test) thread; its signals are emitted there. Progress
// is throttled at the source (at most ~10 updates a second per job).

#include "jobs/workbench_paths.h"
#include "metric_stream.h"

#include <QObject>
#include <QString>
#include <QStringList>

#include <functional>

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

namespace slim::store {
class RunStore;
}

namespace slim::services {

class StoreThread;

enum class JobKind { Train, Resume, BuildBaseModel };
enum class JobState { Queued, Running, Succeeded, Failed, Cancelled };
QString jobStateName(JobState state); // "queued", "running", ...
bool isFinished(JobState state);

struct JobInfo
{
    quint64 id = 0;
    JobKind kind = JobKind::Train;
    std::int64_t runId = 0; // the run this job records
    QString title;          // "slim-mds", "base model (828 steps)"
    JobState state = JobState::Queued;
    QString phase;          // "train", "eval", "pretrain", ... (running)
    qint64 done = 0, total = 0;
    double rate = 0;        // units per second
    QString rateUnit;       // "tok/s", "items/s"
    double etaSeconds = -1; // -1 = unknown
    QString sweepUuid;      // the sweep the run belongs to ("" = none)
    QString message;        // outcome, for users
    QString detail;         // technical detail of a failure
    double fraction() const { return total > 0 ? double(done) / double(total) : 0.0; }
};

class JobManager : public QObject
{
    Q_OBJECT
public:
    // `stream` (not owned) receives every job's live rows; it must outlive the manager. Marks
    // runs left queued/running by dead processes as interrupted.
    JobManager(jobs::WorkbenchPaths paths, MetricStream *stream, QObject *parent = nullptr);
    // Requests every job to stop and waits for their threads (see shutdown()).
    ~JobManager() override;

    enum class Placement { Next, Last }; // "start now" jumps the queue; "queue" waits its turn

    // Queues a job for the run and records the run (status queued) on the store thread; the job
    // starts once its run is recorded (a database error fails the job, with the reason). Queues
    // the base-model build first when the spec needs the built-in model and it is not built or
    // being built. Returns the job id, or 0 with `error` set when the spec is invalid (every
    // problem, one per line; checked at once, without the database).
    quint64 submitRun(const QString &specJson, const QStringList &tags,
                      std::optional<std::int64_t> parentRunId, Placement placement,
                      QString *error = nullptr);
    // Resumes an interrupted, cancelled or failed run from its latest checkpoint. Returns 0 with
    // `error` set when the run already has a job here; a run the store says cannot resume
    // (finished, running elsewhere) fails the job with the reason (jobFinished).
    quint64 submitResume(std::int64_t runId, QString *error = nullptr);
    // Queues the base-model build unless it is built or already queued; returns that job's id
    // (0 when the model is built).
    quint64 ensureBaseModel();
    // The demo (jobs::demoPlan, as `slimctl demo`): the base model when needed, then one run per
    // method with its built-in preset.
    std::vector<quint64> submitDemo(std::int64_t steps = 0);

    // A sweep (sweeps/sweep_spec.h): records it (once: the same spec is the same sweep) and
    // queues one job per run, in the sweep's order; a run that has succeeded before ends at once
    // ("already finished"), an unfinished one resumes from its last checkpoint. Returns the job
    // ids, or none with `error` set when the sweep is invalid (every problem, one per line;
    // checked at once, without the database).
    std::vector<quint64> submitSweep(const QString &sweepJson, Placement placement,
                                     QString *error = nullptr);
    // Cancels every queued or running job of the sweep: cancelling a sweep stops all of it.
    void cancelSweep(const QString &sweepUuid);

    // A queued job is dropped (its run marked cancelled); a running one is asked to stop at the
    // next step and ends Cancelled with its last checkpoint kept.
    void requestCancel(quint64 jobId);
    // Cancels every job and waits for the running ones to end. Never terminates a thread.
    void shutdown();

    std::vector<JobInfo> jobs() const; // in submission order
    std::optional<JobInfo> job(quint64 jobId) const;
    bool hasActiveJobs() const; // queued or running
    int maxConcurrent() const { return m_maxConcurrent; }
    void setMaxConcurrent(int jobs);
    const jobs::WorkbenchPaths &paths() const { return m_paths; }

Q_SIGNALS:
    void jobAdded(const slim::services::JobInfo &job);
    void jobChanged(const slim::services::JobInfo &job); // state or progress
    void jobFinished(const slim::services::JobInfo &job); // succeeded, failed or cancelled
    void logged(quint64 jobId, const QString &line);

private:
    struct Job;
    struct Recording; // a job's run as the store thread recorded it
    quint64 enqueue(JobKind kind, const QString &title, Placement placement);
    // Records the job's run on the store thread (`work` fills the Recording), then
    // onRecorded: the job may start, or fails with the error.
    void record(quint64 jobId, std::function<void(store::RunStore &, Recording &)> work);
    void onRecorded(quint64 jobId, const QString &error);
    void startQueued();
    void start(Job &job);
    void onProgress(quint64 jobId);
    void onThreadFinished(quint64 jobId);
    Job *find(quint64 jobId);
    const Job *find(quint64 jobId) const;
    bool baseModelQueued() const;

    jobs::WorkbenchPaths m_paths;
    MetricStream *m_stream;
    std::unique_ptr<StoreThread> m_store; // every database access of the manager
    std::vector<std::unique_ptr<Job>> m_jobs;
    std::vector<quint64> m_queue; // ids of queued jobs, in start order
    quint64 m_nextId = 1;
    int m_maxConcurrent = 1;
    bool m_shuttingDown = false;
};

} // namespace slim::services

Q_DECLARE_METATYPE(slim::services::JobInfo)
