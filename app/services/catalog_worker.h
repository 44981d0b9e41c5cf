#pragma once
// RunCatalog's worker: lives on the catalog thread and owns that thread's store connection.
// Private to slim_services.

#include "run_data.h"
#include "store/run_store.h"

#include <QObject>
#include <QString>
#include <QTimer>

#include <memory>
#include <optional>

namespace slim::services {

class CatalogWorker : public QObject
{
    Q_OBJECT
public:
    explicit CatalogWorker(QString databasePath);
    ~CatalogWorker() override;

    // All called through queued invocations, on the catalog thread.
    void open();
    void setFilter(const store::RunFilter &filter);
    void refresh();
    void setPollInterval(int ms);
    void loadDetail(std::int64_t runId, int maxPoints);
    void setNotes(std::int64_t runId, const QString &notes);
    void addTag(std::int64_t runId, const QString &tag);
    void removeTag(std::int64_t runId, const QString &tag);
    void setCheckpointPinned(std::int64_t runId, std::int64_t step, bool pinned);
    void pruneCheckpoints(std::int64_t runId);
    void deleteRun(std::int64_t runId);

Q_SIGNALS:
    void runsListed(const slim::services::RunSummaries &runs);
    void tagsListed(const QStringList &tags);
    void detailLoaded(const slim::services::RunDetailPtr &detail);
    void runDeleted(std::int64_t runId);
    void failed(const QString &message, const QString &detail);

private:
    void poll();
    // Runs `body` on the store; a StoreError or other exception becomes failed(message, ...).
    template<typename Body>
    bool guarded(const QString &message, Body &&body);

    QString m_path;
    std::unique_ptr<store::RunStore> m_store;
    store::RunFilter m_filter;
    QTimer *m_poll = nullptr;
    std::optional<std::int64_t> m_dataVersion;
    qint64 m_fileStamp = -1;
};

} // namespace slim::services
