#pragma once
// A run-store connection on a thread of its own, for services that must never touch the
// database on the GUI thread (JobManager). Work runs in submission order on that thread; its
// result comes back to the caller's thread.
//
// Thread affinity: create, post and destroy on one thread (the GUI thread). The connection is
// opened on first use, on the store thread, and closed there.

#include "store/run_store.h"

#include <QObject>
#include <QString>
#include <QThread>

#include <functional>
#include <memory>

namespace slim::services {

class StoreThread
{
public:
    explicit StoreThread(QString databasePath);
    // Runs every work item already posted, then closes the connection and stops the thread.
    ~StoreThread();
    StoreThread(const StoreThread &) = delete;
    StoreThread &operator=(const StoreThread &) = delete;

    // Runs `work` on the store thread. Then `done(error)` runs on `context`'s thread (error
    // empty on success, else what `work` or opening the database threw), unless `context` has
    // been destroyed meanwhile. `done` may be empty.
    void post(std::function<void(store::RunStore &)> work, QObject *context,
              std::function<void(const QString &error)> done = {});
    // Blocks until every work item posted so far has run (shutdown, tests).
    void drain();

private:
    QString m_path;
    QThread m_thread;
    QObject *m_worker; // lives on m_thread; runs the work items
    std::unique_ptr<store::RunStore> m_db; // used on m_thread only
};

} // namespace slim::services
