#include "run_catalog.h"

#include "catalog_worker.h"

#include <QThread>

namespace slim::services {

RunCatalog::RunCatalog(const QString &databasePath, QObject *parent)
    : QObject(parent)
    , m_thread(new QThread(this))
    , m_worker(new CatalogWorker(databasePath))
{
    qRegisterMetaType<RunSummaries>();
    qRegisterMetaType<RunDetailPtr>();
    m_thread->setObjectName(QStringLiteral("run catalog"));
    m_worker->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &CatalogWorker::runsListed, this, &RunCatalog::runsListed);
    connect(m_worker, &CatalogWorker::tagsListed, this, &RunCatalog::tagsListed);
    connect(m_worker, &CatalogWorker::detailLoaded, this, &RunCatalog::detailLoaded);
    connect(m_worker, &CatalogWorker::runDeleted, this, &RunCatalog::runDeleted);
    connect(m_worker, &CatalogWorker::failed, this, &RunCatalog::failed);
    m_thread->start();
    QMetaObject::invokeMethod(m_worker, &CatalogWorker::open);
}

RunCatalog::~RunCatalog()
{
    m_thread->quit();
    m_thread->wait();
}

void RunCatalog::setFilter(const store::RunFilter &filter)
{
    QMetaObject::invokeMethod(m_worker, [w = m_worker, filter] { w->setFilter(filter); });
}

void RunCatalog::refresh()
{
    QMetaObject::invokeMethod(m_worker, &CatalogWorker::refresh);
}

void RunCatalog::setPollInterval(int ms)
{
    QMetaObject::invokeMethod(m_worker, [w = m_worker, ms] { w->setPollInterval(ms); });
}

void RunCatalog::requestDetail(std::int64_t runId, int maxPoints)
{
    QMetaObject::invokeMethod(m_worker,
                              [w = m_worker, runId, maxPoints] { w->loadDetail(runId, maxPoints); });
}

void RunCatalog::setNotes(std::int64_t runId, const QString &notes)
{
    QMetaObject::invokeMethod(m_worker, [w = m_worker, runId, notes] { w->setNotes(runId, notes); });
}

void RunCatalog::setCheckpointPinned(std::int64_t runId, std::int64_t step, bool pinned)
{
    QMetaObject::invokeMethod(m_worker, [w = m_worker, runId, step, pinned] {
        w->setCheckpointPinned(runId, step, pinned);
    });
}

void RunCatalog::pruneCheckpoints(std::int64_t runId)
{
    QMetaObject::invokeMethod(m_worker, [w = m_worker, runId] { w->pruneCheckpoints(runId); });
}

void RunCatalog::addTag(std::int64_t runId, const QString &tag)
{
    QMetaObject::invokeMethod(m_worker, [w = m_worker, runId, tag] { w->addTag(runId, tag); });
}

void RunCatalog::removeTag(std::int64_t runId, const QString &tag)
{
    QMetaObject::invokeMethod(m_worker, [w = m_worker, runId, tag] { w->removeTag(runId, tag); });
}

void RunCatalog::deleteRun(std::int64_t runId)
{
    QMetaObject::invokeMethod(m_worker, [w = m_worker, runId] { w->deleteRun(runId); });
}

} // namespace slim::services
