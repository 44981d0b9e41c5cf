#include "catalog_worker.h"

#include "jobs/run_exports.h"
#include "recorder/checkpoint_retention.h"
#include "scores/run_scores.h"

#include <QFileInfo>

namespace slim::services {

CatalogWorker::CatalogWorker(QString databasePath)
    : m_path(std::move(databasePath))
{}

CatalogWorker::~CatalogWorker() = default;

template<typename Body>
bool CatalogWorker::guarded(const QString &message, Body &&body)
{
    try {
        if (!m_store)
            m_store = std::make_unique<store::RunStore>(m_path.toStdString());
        body(*m_store);
        return true;
    } catch (const std::exception &e) {
        Q_EMIT failed(message, QString::fromUtf8(e.what()));
        return false;
    }
}

void CatalogWorker::open()
{
    m_poll = new QTimer(this);
    m_poll->setInterval(500);
    connect(m_poll, &QTimer::timeout, this, &CatalogWorker::poll);
    m_poll->start();
    guarded(QStringLiteral("The run database could not be opened."), [](store::RunStore &) {});
}

void CatalogWorker::setFilter(const store::RunFilter &filter)
{
    m_filter = filter;
    refresh();
}

void CatalogWorker::refresh()
{
    guarded(QStringLiteral("The run list could not be read."), [this](store::RunStore &db) {
        m_dataVersion = db.database().queryInt64("PRAGMA data_version");
        auto runs = db.listRuns(m_filter);
        QStringList tags;
        for (const auto &tag : db.allTags())
            tags << QString::fromStdString(tag);
        Q_EMIT runsListed(runs);
        Q_EMIT tagsListed(tags);
    });
}

void CatalogWorker::setPollInterval(int ms)
{
    if (m_poll)
        m_poll->setInterval(ms);
}

void CatalogWorker::poll()
{
    // data_version changes when another connection (this process or another) commits; the file
    // stamp catches a database replaced underneath us.
    const QFileInfo info(m_path);
    const qint64 stamp = info.exists() ? info.lastModified().toMSecsSinceEpoch() ^ info.size() : -1;
    std::optional<std::int64_t> version;
    if (m_store) {
        try {
            version = m_store->database().queryInt64("PRAGMA data_version");
        } catch (const std::exception &) {
        }
    }
    const bool changed = !m_store || version != m_dataVersion || (stamp != m_fileStamp && m_fileStamp != -1);
    m_fileStamp = stamp;
    if (changed)
        refresh();
}

void CatalogWorker::loadDetail(std::int64_t runId, int maxPoints)
{
    guarded(QStringLiteral("Run %1 could not be read.").arg(runId), [&](store::RunStore &db) {
        auto detail = std::make_shared<RunDetail>();
        auto record = db.getRun(runId);
        if (!record)
            throw std::runtime_error("there is no run " + std::to_string(runId));
        detail->record = std::move(*record);
        for (const auto &name : db.metricNames(runId))
            detail->series[name] = db.series(runId, name, maxPoints);
        auto &data = detail->data;
        data.runId = runId;
        data.evals = db.evalResults(runId);
        data.routingLayers = db.routingLayerStats(runId);
        data.routingExperts = db.routingExpertStats(runId);
        data.clusterLayers = db.clusterLayerStats(runId);
        data.clusterCentres = db.clusterCentres(runId);
        detail->checkpoints = db.checkpoints(runId);
        detail->artifacts = db.artifacts(runId);
        detail->evaluatedSteps = db.evaluatedSteps(runId);
        detail->keepCheckpoints = store::keepCheckpointsOf(detail->record);
        detail->diskBytes = jobs::runDiskBytes(detail->record,
                                               jobs::WorkbenchPaths::resolve(m_path.toStdString()));
        // The base model's cached scores (forgetting = base - run on the same items).
        const auto modelHash = scores::baseModelHashOf(detail->record.datasetHashesJson);
        // All of them, not only those of evaluations already stored: a live run's next
        // evaluation is compared with the scores its base-eval phase cached at the start.
        if (!modelHash.empty())
            detail->baseScores = db.baseScoresOfModel(modelHash);
        Q_EMIT detailLoaded(RunDetailPtr(std::move(detail)));
    });
}

void CatalogWorker::setNotes(std::int64_t runId, const QString &notes)
{
    if (guarded(QStringLiteral("The notes could not be saved."),
                [&](store::RunStore &db) { db.setNotes(runId, notes.toStdString()); }))
        refresh();
}

void CatalogWorker::addTag(std::int64_t runId, const QString &tag)
{
    if (guarded(QStringLiteral("The tag could not be added."),
                [&](store::RunStore &db) { db.addTag(runId, tag.trimmed().toStdString()); }))
        refresh();
}

void CatalogWorker::removeTag(std::int64_t runId, const QString &tag)
{
    if (guarded(QStringLiteral("The tag could not be removed."),
                [&](store::RunStore &db) { db.removeTag(runId, tag.toStdString()); }))
        refresh();
}

void CatalogWorker::setCheckpointPinned(std::int64_t runId, std::int64_t step, bool pinned)
{
    if (guarded(QStringLiteral("The checkpoint could not be %1.")
                    .arg(pinned ? QStringLiteral("pinned") : QStringLiteral("unpinned")),
                [&](store::RunStore &db) { db.setCheckpointPinned(runId, step, pinned); }))
        loadDetail(runId, 2000);
}

void CatalogWorker::pruneCheckpoints(std::int64_t runId)
{
    if (guarded(QStringLiteral("The checkpoints could not be pruned."), [&](store::RunStore &db) {
            const auto run = db.getRun(runId);
            if (!run)
                throw std::runtime_error("there is no run " + std::to_string(runId));
            store::pruneCheckpoints(db, runId, std::max<std::int64_t>(1, store::keepCheckpointsOf(*run)));
        }))
        loadDetail(runId, 2000);
}

void CatalogWorker::deleteRun(std::int64_t runId)
{
    bool deleted = false;
    if (guarded(QStringLiteral("Run %1 could not be deleted.").arg(runId),
                [&](store::RunStore &db) { deleted = db.deleteRun(runId); })) {
        if (deleted)
            Q_EMIT runDeleted(runId);
        refresh();
    }
}

} // namespace slim::services
