#pragma once
// The window's read side of the run store, off the GUI thread: the run list (re-read when the
// database changes, whoever wrote it: a job here or slimctl in another process), one run's
// detail, and the edits a user makes (tags, notes, delete). Reads and edits run on the
// catalog's own thread with its own connection; results come back as signals on the owner's
// thread.

#include "run_data.h"

#include <QObject>
#include <QString>

#include <cstdint>
#include <memory>

class QThread;

namespace slim::services {

class CatalogWorker;

class RunCatalog : public QObject
{
    Q_OBJECT
public:
    // Opens (and migrates) the database on the catalog thread; failures come as failed().
    explicit RunCatalog(const QString &databasePath, QObject *parent = nullptr);
    ~RunCatalog() override; // stops the thread after pending work

    // The filter of the listing; the list is re-read now and whenever the database changes
    // (checked every pollIntervalMs, 500 by default).
    void setFilter(const store::RunFilter &filter);
    void refresh();
    void setPollInterval(int ms);

    // Detail of one run, series downsampled to at most maxPoints per metric.
    void requestDetail(std::int64_t runId, int maxPoints = 2000);

    void setNotes(std::int64_t runId, const QString &notes);
    void addTag(std::int64_t runId, const QString &tag);
    void removeTag(std::int64_t runId, const QString &tag);
    void deleteRun(std::int64_t runId); // the run's files are kept on disk
    // Checkpoint retention (recorder/checkpoint_retention.h); the detail is re-read after.
    void setCheckpointPinned(std::int64_t runId, std::int64_t step, bool pinned);
    void pruneCheckpoints(std::int64_t runId); // by the run's own keep_checkpoints

Q_SIGNALS:
    void runsListed(const slim::services::RunSummaries &runs);
    void tagsListed(const QStringList &tags);        // every tag in the database, sorted
    void detailLoaded(const slim::services::RunDetailPtr &detail);
    void runDeleted(std::int64_t runId);
    // A read or edit failed: a short message for users and the technical detail.
    void failed(const QString &message, const QString &detail);

private:
    QThread *m_thread;
    CatalogWorker *m_worker; // lives on m_thread
};

} // namespace slim::services
