#include "job_manager.h"

#include "job_observer.h"
#include "jobs/run_jobs.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QThread>

#include <stop_token>

namespace slim::services {

struct JobManager::Job
{
    JobInfo info;
    std::stop_source stop;
    QThread *thread = nullptr;
    engine::RunOutcome outcome; // written by the job thread, read after it finished
    bool needsBaseModel = false; // waits for the built-in model
};

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
{
    qRegisterMetaType<JobInfo>();
    // Runs left running by a process that died (a crash, a killed slimctl) become interrupted,
    // so the window offers to resume them instead of showing them as running forever.
    try {
        store::RunStore db(m_paths.database.string());
        db.markInterruptedRuns();
    } catch (const std::exception &) {
        // The catalog reports an unreadable database to the user.
    }
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
    if (jobs::baseModelReady(m_paths.builtin_model))
        return 0;
    for (const auto &job : m_jobs) {
        if (job->info.kind == JobKind::BuildBaseModel && !isFinished(job->info.state))
            return job->info.id;
    }
    store::RunStore db(m_paths.database.string());
    const auto runId = jobs::queueBaseModelBuild(db, m_paths);
    // The build goes first: every run waiting for the built-in model needs it.
    return enqueue(JobKind::BuildBaseModel, runId, QStringLiteral("base model"), Placement::Next);
}

quint64 JobManager::submitRun(const QString &specJson, const QStringList &tags,
                              std::optional<std::int64_t> parentRunId, Placement placement,
                              QString *error)
{
    try {
        store::RunStore db(m_paths.database.string());
        jobs::RunRequest request;
        request.specJson = specJson.toStdString();
        for (const auto &tag : tags) {
            if (!tag.trimmed().isEmpty())
                request.tags.push_back(tag.trimmed().toStdString());
        }
        request.parentRunId = parentRunId;
        const auto runId = jobs::queueRun(db, request);
        const auto run = db.getRun(runId);
        const bool needsModel = jobs::needsBuiltinModel(*run);
        const auto id = enqueue(JobKind::Train, runId, QString::fromStdString(run->name),
                                placement);
        find(id)->needsBaseModel = needsModel;
        if (needsModel)
            ensureBaseModel();
        return id;
    } catch (const std::exception &e) {
        if (error)
            *error = QString::fromUtf8(e.what());
        return 0;
    }
}

quint64 JobManager::submitResume(std::int64_t runId, QString *error)
{
    try {
        for (const auto &job : m_jobs) {
            if (job->info.runId == runId && !isFinished(job->info.state))
                throw std::invalid_argument("run " + std::to_string(runId)
                                            + " already has a job in this window");
        }
        store::RunStore db(m_paths.database.string());
        db.markInterruptedRuns();
        jobs::checkResumable(db, runId);
        const auto run = db.getRun(runId);
        const auto id = enqueue(JobKind::Resume, runId,
                                QStringLiteral("resume %1").arg(QString::fromStdString(run->name)),
                                Placement::Last);
        find(id)->needsBaseModel = jobs::needsBuiltinModel(*run);
        if (find(id)->needsBaseModel)
            ensureBaseModel();
        return id;
    } catch (const std::exception &e) {
        if (error)
            *error = QString::fromUtf8(e.what());
        return 0;
    }
}

std::vector<quint64> JobManager::submitDemo(std::int64_t steps)
{
    std::vector<quint64> ids;
    if (const auto build = ensureBaseModel())
        ids.push_back(build);
    for (const auto &name : jobs::presetNames()) {
        if (name.rfind("builtin-", 0) != 0)
            continue;
        auto spec = QJsonDocument::fromJson(QByteArray::fromStdString(jobs::presetSpecText(name)))
                        .object();
        spec[QStringLiteral("name")] = QStringLiteral("demo ") + QString::fromStdString(name.substr(8));
        if (steps > 0) {
            auto schedule = spec[QStringLiteral("schedule")].toObject();
            schedule[QStringLiteral("steps")] = double(steps);
            spec[QStringLiteral("schedule")] = schedule;
        }
        const auto text = QString::fromUtf8(QJsonDocument(spec).toJson(QJsonDocument::Compact));
        if (const auto id = submitRun(text, {QStringLiteral("demo")}, std::nullopt, Placement::Last))
            ids.push_back(id);
    }
    return ids;
}

quint64 JobManager::enqueue(JobKind kind, std::int64_t runId, const QString &title,
                            Placement placement)
{
    auto job = std::make_unique<Job>();
    job->info.id = m_nextId++;
    job->info.kind = kind;
    job->info.runId = runId;
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
    try {
        store::RunStore db(m_paths.database.string());
        const auto run = db.getRun(job->info.runId);
        if (run && run->status == store::RunStatus::Queued)
            db.setStatus(job->info.runId, store::RunStatus::Cancelled,
                         "cancelled before it started");
    } catch (const std::exception &e) {
        job->info.detail = QString::fromUtf8(e.what());
    }
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
}

} // namespace slim::services
