#include "job_manager.h"

#include "job_manager_internal.h"
#include "job_observer.h"
#include "store_thread.h"
#include "jobs/run_jobs.h"
#include "store/process_info.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QThread>

#include <stop_token>

namespace slim::services {

QString jobStateName(JobState state)
{
    switch (state) {
    case JobState::Queued: return QStringLiteral("queued");
    case JobState::Running: return QStringLiteral("running");
    case JobState::Succeeded: return QStringLiteral("succeeded");
    case JobState::Failed: return QStringLiteral("failed");
    case JobState::Cancelled: return QStringLiteral("cancelled");
    }
    return {};
}

bool isFinished(JobState state)
{
    return state == JobState::Succeeded || state == JobState::Failed
           || state == JobState::Cancelled;
}

JobManager::JobManager(jobs::WorkbenchPaths paths, MetricStream *stream, QObject *parent)
    : QObject(parent)
    , m_paths(std::move(paths))
    , m_stream(stream)
    , m_store(std::make_unique<StoreThread>(QString::fromStdString(m_paths.database.string())))
{
    qRegisterMetaType<JobInfo>();
    // Runs left running by a process that died (a crash, a killed slimctl) become interrupted,
    // so the window offers to resume them instead of showing them as running forever. An
    // unreadable database is reported to the user by the catalog.
    m_store->post([](store::RunStore &db) { db.markInterruptedRuns(); }, this);
}

JobManager::~JobManager()
{
    shutdown();
}

JobManager::Job *JobManager::find(quint64 jobId)
{
    for (auto &job : m_jobs) {
        if (job->info.id == jobId)
            return job.get();
    }
    return nullptr;
}

const JobManager::Job *JobManager::find(quint64 jobId) const
{
    return const_cast<JobManager *>(this)->find(jobId);
}

std::vector<JobInfo> JobManager::jobs() const
{
    std::vector<JobInfo> out;
    for (const auto &job : m_jobs)
        out.push_back(job->info);
    return out;
}

std::optional<JobInfo> JobManager::job(quint64 jobId) const
{
    if (const auto *j = find(jobId))
        return j->info;
    return std::nullopt;
}

bool JobManager::hasActiveJobs() const
{
    for (const auto &job : m_jobs) {
        if (!isFinished(job->info.state))
            return true;
    }
    return false;
}

void JobManager::setMaxConcurrent(int jobs)
{
    m_maxConcurrent = std::max(1, jobs);
    startQueued();
}

bool JobManager::baseModelQueued() const
{
    for (const auto &job : m_jobs) {
        if (job->info.kind == JobKind::BuildBaseModel && !isFinished(job->info.state))
            return true;
    }
    return false;
}

quint64 JobManager::ensureBaseModel()
{
    if (jobs::builtinModelReady(m_paths))
        return 0;
    for (const auto &job : m_jobs) {
        if (job->info.kind == JobKind::BuildBaseModel && !isFinished(job->info.state))
            return job->info.id;
    }
    // The build goes first: every run waiting for the built-in model needs it.
    const auto id = enqueue(JobKind::BuildBaseModel, QStringLiteral("base model"), Placement::Next);
    record(id, [paths = m_paths](store::RunStore &db, Recording &r) {
        r.runId = jobs::queueBaseModelBuild(db, paths);
    });
    return id;
}

quint64 JobManager::submitRun(const QString &specJson, const QStringList &tags,
                              std::optional<std::int64_t> parentRunId, Placement placement,
                              QString *error)
{
    jobs::RunRequest request;
    try {
        // Checked here, so the form hears at once what is wrong; recorded on the store thread.
        request.specJson = jobs::normalisedSpecText(specJson.toStdString());
    } catch (const std::exception &e) {
        if (error)
            *error = QString::fromUtf8(e.what());
        return 0;
    }
    for (const auto &tag : tags) {
        if (!tag.trimmed().isEmpty())
            request.tags.push_back(tag.trimmed().toStdString());
    }
    request.parentRunId = parentRunId;
    const auto name = QJsonDocument::fromJson(QByteArray::fromStdString(request.specJson))
                          .object()
                          .value(QStringLiteral("name"))
                          .toString();
    const auto id = enqueue(JobKind::Train, name, placement);
    record(id, [request](store::RunStore &db, Recording &r) {
        r.runId = jobs::queueRun(db, request);
        r.needsBaseModel = jobs::needsBuiltinModel(*db.getRun(r.runId));
    });
    return id;
}

quint64 JobManager::submitResume(std::int64_t runId, QString *error)
{
    for (const auto &job : m_jobs) {
        if (job->info.runId == runId && !isFinished(job->info.state)) {
            if (error)
                *error = QStringLiteral("run %1 already has a job in this window").arg(runId);
            return 0;
        }
    }
    const auto id = enqueue(JobKind::Resume, QStringLiteral("resume run %1").arg(runId),
                            Placement::Last);
    find(id)->info.runId = runId;
    record(id, [runId](store::RunStore &db, Recording &r) {
        db.markInterruptedRuns();
        // No job of this window runs it (checked above), so a run still recorded as running
        // in this process is one whose end could not be written (its disk was full or failed).
        if (const auto run = db.getRun(runId);
            run && run->pid == store::currentProcessId()
            && (run->status == store::RunStatus::Running || run->status == store::RunStatus::Queued))
            db.setStatus(runId, store::RunStatus::Interrupted,
                         "The run stopped, and its end could not be recorded.");
        jobs::checkResumable(db, runId);
        const auto run = db.getRun(runId);
        r.runId = runId;
        r.name = "resume " + run->name;
        r.needsBaseModel = jobs::needsBuiltinModel(*run);
    });
    return id;
}

void JobManager::record(quint64 jobId,
                        std::function<void(store::RunStore &, Recording &)> work)
{
    auto recording = find(jobId)->recording;
    m_store->post([work = std::move(work), recording](store::RunStore &db) { work(db, *recording); },
                  this, [this, jobId](const QString &error) { onRecorded(jobId, error); });
}

void JobManager::onRecorded(quint64 jobId, const QString &error)
{
    auto *job = find(jobId);
    if (!job)
        return;
    const auto &r = *job->recording;
    job->info.runId = r.runId ? r.runId : job->info.runId;
    if (!r.name.empty())
        job->info.title = QString::fromStdString(r.name);
    if (job->info.state != JobState::Queued) { // cancelled meanwhile
        Q_EMIT jobChanged(job->info);
        return;
    }
    if (!error.isEmpty()) {
        std::erase(m_queue, jobId);
        job->info.state = JobState::Failed;
        job->info.message = job->info.kind == JobKind::Resume
                                ? QStringLiteral("The run cannot be resumed: %1").arg(error)
                                : QStringLiteral("The run could not be recorded: %1").arg(error);
        const auto info = job->info;
        Q_EMIT jobChanged(info);
        Q_EMIT jobFinished(info); // the window shows why (a failed job)
        startQueued();
        return;
    }
    if (r.alreadyDone) { // a sweep's run that has succeeded before
        std::erase(m_queue, jobId);
        job->info.state = JobState::Succeeded;
        job->info.message = QStringLiteral("already finished");
        const auto info = job->info;
        Q_EMIT jobChanged(info);
        Q_EMIT jobFinished(info);
        startQueued();
        return;
    }
    if (r.resume)
        job->info.kind = JobKind::Resume;
    job->recorded = true;
    job->needsBaseModel = r.needsBaseModel;
    Q_EMIT jobChanged(job->info);
    if (job->needsBaseModel)
        ensureBaseModel();
    startQueued();
}

std::vector<quint64> JobManager::submitDemo(std::int64_t steps)
{
    std::vector<quint64> ids;
    if (const auto build = ensureBaseModel())
        ids.push_back(build);
    for (const auto &request : jobs::demoPlan({}, steps)) {
        QStringList tags;
        for (const auto &tag : request.tags)
            tags << QString::fromStdString(tag);
        if (const auto id = submitRun(QString::fromStdString(request.specJson), tags, std::nullopt,
                                      Placement::Last))
            ids.push_back(id);
    }
    return ids;
}

quint64 JobManager::enqueue(JobKind kind, const QString &title, Placement placement)
{
    auto job = std::make_unique<Job>();
    job->info.id = m_nextId++;
    job->info.kind = kind;
    job->info.title = title;
    const auto id = job->info.id;
    m_jobs.push_back(std::move(job));
    if (placement == Placement::Next)
        m_queue.insert(m_queue.begin(), id);
    else
        m_queue.push_back(id);
    Q_EMIT jobAdded(find(id)->info);
    // Start on the next turn of the event loop so a caller queueing several jobs (a run and
    // the base model it needs) decides the order before anything starts.
    QMetaObject::invokeMethod(this, &JobManager::startQueued, Qt::QueuedConnection);
    return id;
}

void JobManager::startQueued()
{
    if (m_shuttingDown)
        return;
    int running = 0;
    for (const auto &job : m_jobs)
        running += job->info.state == JobState::Running ? 1 : 0;
    while (running < m_maxConcurrent && !m_queue.empty()) {
        auto *job = find(m_queue.front());
        if (job && job->info.state == JobState::Queued && !job->recorded)
            return; // in order: the next job starts once its run is recorded
        m_queue.erase(m_queue.begin());
        if (!job || job->info.state != JobState::Queued)
            continue;
        start(*job);
        ++running;
    }
}

void JobManager::start(Job &job)
{
    job.info.state = JobState::Running;
    job.info.phase = QStringLiteral("starting");
    const auto id = job.info.id;
    const auto runId = job.info.runId;
    const bool resume = job.info.kind == JobKind::Resume;
    auto stop = job.stop.get_token();
    Job *raw = &job;
    job.thread = QThread::create([this, raw, id, runId, resume, stop] {
        JobObserver observer(
            runId, m_stream, this,
            [this, id](const engine::ProgressInfo &p) {
                auto *j = find(id);
                if (!j || j->info.state != JobState::Running)
                    return;
                j->info.phase = QString::fromStdString(p.phase);
                j->info.done = p.done;
                j->info.total = p.total;
                j->info.rate = p.rate;
                j->info.rateUnit = QString::fromStdString(p.rate_unit);
                j->info.etaSeconds = p.eta_seconds;
                Q_EMIT jobChanged(j->info);
            },
            [this, id](const std::string &line) { Q_EMIT logged(id, QString::fromStdString(line)); });
        try {
            store::RunStore db(m_paths.database.string());
            jobs::ExecuteOptions options;
            options.extra = &observer;
            options.resume = resume;
            raw->outcome = jobs::executeRun(db, m_paths, runId, stop, options);
        } catch (const std::exception &e) {
            raw->outcome = {engine::RunStatus::Failed, "the run database could not be opened",
                            e.what()};
        }
    });
    job.thread->setObjectName(QStringLiteral("job %1").arg(id));
    connect(job.thread, &QThread::finished, this, [this, id] { onThreadFinished(id); });
    job.thread->start();
    Q_EMIT jobChanged(job.info);
}

void JobManager::onThreadFinished(quint64 jobId)
{
    auto *job = find(jobId);
    if (!job || !job->thread)
        return; // already handled (shutdown waits and handles it itself)
    job->thread->deleteLater();
    job->thread = nullptr;
    const auto &o = job->outcome;
    // Cancellation intent wins: a job asked to stop is never reported as succeeded.
    if (job->stop.stop_requested() && o.status == engine::RunStatus::Succeeded)
        job->info.state = JobState::Cancelled;
    else
        job->info.state = o.status == engine::RunStatus::Succeeded ? JobState::Succeeded
                          : o.status == engine::RunStatus::Cancelled ? JobState::Cancelled
                                                                     : JobState::Failed;
    job->info.message = QString::fromStdString(o.message);
    job->info.detail = QString::fromStdString(o.detail);
    job->info.etaSeconds = -1;
    const auto info = job->info;
    Q_EMIT jobChanged(info);
    Q_EMIT jobFinished(info);
    // Runs waiting for a base model that failed to build are cancelled, not started.
    if (info.kind == JobKind::BuildBaseModel && info.state != JobState::Succeeded) {
        for (auto &other : m_jobs) {
            if (other->info.state == JobState::Queued && other->needsBaseModel)
                requestCancel(other->info.id);
        }
    }
    startQueued();
}

void JobManager::requestCancel(quint64 jobId)
{
    auto *job = find(jobId);
    if (!job || isFinished(job->info.state))
        return;
    job->stop.request_stop();
    if (job->info.state == JobState::Running) {
        job->info.phase = QStringLiteral("cancelling");
        Q_EMIT jobChanged(job->info);
        return;
    }
    // Queued: it never started; record the run as cancelled.
    std::erase(m_queue, jobId);
    job->info.state = JobState::Cancelled;
    job->info.message = QStringLiteral("cancelled before it started");
    // After the recording (work runs in order): the run it recorded, if any, is cancelled.
    m_store->post(
        [recording = job->recording](store::RunStore &db) {
            if (recording->runId)
                jobs::cancelQueuedRun(db, recording->runId, "cancelled before it started");
        },
        this);
    Q_EMIT jobChanged(job->info);
    Q_EMIT jobFinished(job->info);
}

void JobManager::shutdown()
{
    m_shuttingDown = true;
    for (auto &job : m_jobs) {
        if (job->info.state == JobState::Queued)
            requestCancel(job->info.id);
        else if (job->info.state == JobState::Running)
            job->stop.request_stop();
    }
    for (auto &job : m_jobs) {
        if (job->thread) {
            job->thread->wait();
            onThreadFinished(job->info.id);
        }
    }
    m_store->drain(); // the cancelled runs are recorded before the window closes
}

} // namespace slim::services
