#include "store_thread.h"

#include <QMetaObject>

namespace slim::services {

StoreThread::StoreThread(QString databasePath)
    : m_path(std::move(databasePath))
    , m_worker(new QObject)
{
    m_thread.setObjectName(QStringLiteral("run store"));
    m_worker->moveToThread(&m_thread);
    m_thread.start();
}

StoreThread::~StoreThread()
{
    drain();
    QMetaObject::invokeMethod(m_worker, [this] { m_db.reset(); }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
    delete m_worker;
}

void StoreThread::post(std::function<void(store::RunStore &)> work, QObject *context,
                       std::function<void(const QString &error)> done)
{
    QMetaObject::invokeMethod(
        m_worker,
        [this, work = std::move(work), context, done = std::move(done)] {
            QString error;
            try {
                if (!m_db)
                    m_db = std::make_unique<store::RunStore>(m_path.toStdString());
                work(*m_db);
            } catch (const std::exception &e) {
                error = QString::fromUtf8(e.what());
            }
            if (done && context)
                QMetaObject::invokeMethod(context, [done, error] { done(error); },
                                          Qt::QueuedConnection);
        },
        Qt::QueuedConnection);
}

void StoreThread::drain()
{
    QMetaObject::invokeMethod(m_worker, [] {}, Qt::BlockingQueuedConnection);
}

} // namespace slim::services
