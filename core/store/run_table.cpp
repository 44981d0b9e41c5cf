// RunTable: runs and their tags, listing, interrupted runs.
#include "store/run_table.h"

#include "store/process_info.h"
#include "store/row_columns.h"
#include "store/statement.h"
#include "store/store_error.h"
#include "store/transaction.h"

#include <algorithm>
#include <cstdio>
#include <random>

namespace slim::store {

using namespace detail;

namespace {

std::string newUuid()
{
    // Version 4 UUID. random_device is seeded per call: run creation is rare, and a shared
    // engine would need a lock for the one-RunStore-per-thread rule.
    std::random_device device;
    std::mt19937_64 engine((static_cast<std::uint64_t>(device()) << 32) ^ device());
    std::uint64_t hi = engine(), lo = engine();
    hi = (hi & 0xFFFFFFFFFFFF0FFFull) | 0x0000000000004000ull;
    lo = (lo & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;
    char text[37];
    std::snprintf(text, sizeof(text), "%08x-%04x-%04x-%04x-%012llx",
                  static_cast<unsigned>(hi >> 32), static_cast<unsigned>((hi >> 16) & 0xFFFF),
                  static_cast<unsigned>(hi & 0xFFFF), static_cast<unsigned>(lo >> 48),
                  static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFull));
    return text;
}

// JSON columns are NOT NULL: "" stands for the empty object.
std::string jsonOrEmptyObject(const std::string &json)
{
    return json.empty() ? std::string("{}") : json;
}

std::string likePattern(const std::string &text)
{
    std::string pattern = "%";
    for (char c : text) {
        if (c == '%' || c == '_' || c == '\\')
            pattern += '\\';
        pattern += c;
    }
    return pattern + "%";
}

const char *orderClause(RunOrder order)
{
    switch (order) {
    case RunOrder::NewestFirst:
        return "r.created_at DESC, r.id DESC";
    case RunOrder::OldestFirst:
        return "r.created_at ASC, r.id ASC";
    case RunOrder::NameAscending:
        return "r.name COLLATE NOCASE ASC, r.id ASC";
    case RunOrder::DownstreamAvgDescending:
        return "r.downstream_avg DESC NULLS LAST, r.id DESC";
    case RunOrder::GeneralAvgDescending:
        return "r.general_avg DESC NULLS LAST, r.id DESC";
    case RunOrder::ForgettingAvgAscending:
        return "r.forgetting_avg ASC NULLS LAST, r.id DESC";
    }
    return "r.id DESC";
}

// One UPDATE of a run's row: ?1 is the run id, `bind` binds the other parameters. Throws when
// there is no such run.
template<typename Bind>
void updateRun(Database &db, std::int64_t runId, const std::string &sql, const char *operation,
               Bind bind)
{
    Statement update(db, sql);
    update.bind(1, runId);
    bind(update);
    update.exec();
    if (db.changes() == 0)
        throw StoreError(std::string(operation) + ": no run with id " + std::to_string(runId));
}

} // namespace

std::int64_t RunTable::createRun(const RunRecord &run)
{
    // What the store fills in where the caller left it unset.
    RunRecord row = run;
    if (row.uuid.empty())
        row.uuid = newUuid();
    row.specJson = jsonOrEmptyObject(row.specJson);
    row.versionsJson = jsonOrEmptyObject(row.versionsJson);
    row.datasetHashesJson = jsonOrEmptyObject(row.datasetHashesJson);
    if (!row.pid)
        row.pid = currentProcessId();
    if (row.host.empty())
        row.host = currentHostName();
    row.progress = std::clamp(row.progress, 0.0, 1.0);

    Transaction transaction(*m_db);
    Statement insert(*m_db,
                     "INSERT INTO runs (" + writtenList<RunRecord>() + ", heartbeat_at) VALUES ("
                         + placeholders(columnCount<RunRecord>(true)) + ", " + kNowSql + ")");
    bindRow(insert, 1, row);
    insert.exec();
    const std::int64_t id = m_db->lastInsertRowId();

    Statement tag(*m_db, "INSERT OR IGNORE INTO run_tags (run_id, tag) VALUES (?, ?)");
    for (const std::string &name : run.tags) {
        tag.bind(1, id);
        tag.bind(2, name);
        tag.exec();
    }
    transaction.commit();
    return id;
}

void RunTable::startRun(std::int64_t runId)
{
    updateRun(*m_db, runId,
              std::string("UPDATE runs SET status = 'running', started_at = COALESCE(started_at, ")
                  + kNowSql + "), finished_at = NULL, heartbeat_at = " + kNowSql
                  + ", pid = ?2, host = ?3 WHERE id = ?1",
              "startRun", [](Statement &update) {
                  update.bind(2, currentProcessId());
                  update.bind(3, currentHostName());
              });
}

void RunTable::setStatus(std::int64_t runId, RunStatus status, const std::string &message,
                         const std::string &detail)
{
    const std::string now = kNowSql;
    updateRun(*m_db, runId,
              "UPDATE runs SET status = ?2, error_message = ?3, error_detail = ?4,"
              " started_at = CASE WHEN ?2 = 'running' THEN COALESCE(started_at, "
                  + now + ") ELSE started_at END, finished_at = CASE WHEN ?5 THEN " + now
                  + " ELSE NULL END, heartbeat_at = " + now + " WHERE id = ?1",
              "setStatus", [&](Statement &update) {
                  update.bind(2, runStatusName(status));
                  update.bindTextOrNull(3, message);
                  update.bindTextOrNull(4, detail);
                  update.bind(5, isTerminal(status) ? 1 : 0);
              });
}

void RunTable::updateProgress(std::int64_t runId, std::int64_t step, std::int64_t totalSteps,
                              double progress)
{
    // NaN would become NULL and break NOT NULL; treat it as "no progress known".
    if (!(progress >= 0.0))
        progress = 0.0;
    updateRun(*m_db, runId,
              std::string("UPDATE runs SET current_step = ?2, total_steps = ?3, progress = ?4,"
                          " heartbeat_at = ")
                  + kNowSql + " WHERE id = ?1",
              "updateProgress", [&](Statement &update) {
                  update.bind(2, step);
                  update.bind(3, totalSteps);
                  update.bind(4, std::min(progress, 1.0));
              });
}

void RunTable::heartbeat(std::int64_t runId)
{
    updateRun(*m_db, runId,
              std::string("UPDATE runs SET heartbeat_at = ") + kNowSql + " WHERE id = ?1",
              "heartbeat", [](Statement &) {});
}

void RunTable::setEnvironment(std::int64_t runId, const std::string &device,
                              const std::string &versionsJson, const std::string &datasetHashesJson)
{
    updateRun(*m_db, runId,
              "UPDATE runs SET device = ?2, versions_json = ?3, dataset_hashes_json = ?4"
              " WHERE id = ?1",
              "setEnvironment", [&](Statement &update) {
                  update.bindTextOrNull(2, device);
                  update.bind(3, jsonOrEmptyObject(versionsJson));
                  update.bind(4, jsonOrEmptyObject(datasetHashesJson));
              });
}

void RunTable::setSummary(std::int64_t runId, std::optional<double> downstreamAvg,
                          std::optional<double> generalAvg, std::optional<double> forgettingAvg)
{
    updateRun(*m_db, runId,
              "UPDATE runs SET downstream_avg = ?2, general_avg = ?3, forgetting_avg = ?4"
              " WHERE id = ?1",
              "setSummary", [&](Statement &update) {
                  update.bind(2, downstreamAvg);
                  update.bind(3, generalAvg);
                  update.bind(4, forgettingAvg);
              });
}

void RunTable::setNotes(std::int64_t runId, const std::string &notes)
{
    updateRun(*m_db, runId, "UPDATE runs SET notes = ?2 WHERE id = ?1", "setNotes",
              [&](Statement &update) { update.bind(2, notes); });
}

void RunTable::addTag(std::int64_t runId, const std::string &tag)
{
    Statement insert(*m_db, "INSERT OR IGNORE INTO run_tags (run_id, tag) VALUES (?1, ?2)");
    insert.bind(1, runId);
    insert.bind(2, tag);
    insert.exec(); // a missing run fails the foreign key
}

void RunTable::removeTag(std::int64_t runId, const std::string &tag)
{
    Statement remove(*m_db, "DELETE FROM run_tags WHERE run_id = ?1 AND tag = ?2");
    remove.bind(1, runId);
    remove.bind(2, tag);
    remove.exec();
}

std::vector<std::string> RunTable::tags(std::int64_t runId)
{
    Statement query(*m_db, "SELECT tag FROM run_tags WHERE run_id = ?1 ORDER BY tag");
    query.bind(1, runId);
    return readFirstColumn<std::string>(query);
}

std::vector<std::string> RunTable::allTags()
{
    Statement query(*m_db, "SELECT DISTINCT tag FROM run_tags ORDER BY tag");
    return readFirstColumn<std::string>(query);
}

std::optional<RunRecord> RunTable::getRun(std::int64_t runId)
{
    // Aliased r for the tags column.
    Statement query(*m_db, selectSql<RunRecord>("r WHERE id = ?1"));
    query.bind(1, runId);
    if (!query.step())
        return std::nullopt;
    return readRow<RunRecord>(query);
}

std::vector<RunSummary> RunTable::listRuns(const RunFilter &filter)
{
    std::string sql = selectSql<RunSummary>("r WHERE 1");
    if (!filter.text.empty()) {
        sql += " AND (r.name LIKE ?1 ESCAPE '\\' OR r.method LIKE ?1 ESCAPE '\\'"
               " OR r.notes LIKE ?1 ESCAPE '\\' OR EXISTS (SELECT 1 FROM run_tags t"
               " WHERE t.run_id = r.id AND t.tag LIKE ?1 ESCAPE '\\') OR EXISTS (SELECT 1 FROM"
               " sweeps s WHERE s.id = r.sweep_id AND s.name LIKE ?1 ESCAPE '\\'))";
    }
    // Numbered parameters keep their place whether or not the text filter is present.
    if (!filter.method.empty())
        sql += " AND r.method = ?2";
    if (filter.status)
        sql += " AND r.status = ?3";
    if (!filter.tag.empty())
        sql += " AND EXISTS (SELECT 1 FROM run_tags t WHERE t.run_id = r.id AND t.tag = ?4)";
    if (filter.sweepId)
        sql += " AND r.sweep_id = ?7";
    // A sweep's runs in its order.
    sql += std::string(" ORDER BY ") + (filter.sweepId ? "r.sweep_index, " : "")
           + orderClause(filter.order) + " LIMIT ?5 OFFSET ?6";

    Statement query(*m_db, sql);
    if (!filter.text.empty())
        query.bind(1, likePattern(filter.text));
    if (!filter.method.empty())
        query.bind(2, filter.method);
    if (filter.status)
        query.bind(3, runStatusName(*filter.status));
    if (!filter.tag.empty())
        query.bind(4, filter.tag);
    query.bind(5, static_cast<std::int64_t>(filter.limit < 0 ? -1 : filter.limit));
    query.bind(6, static_cast<std::int64_t>(std::max(filter.offset, 0)));
    if (filter.sweepId)
        query.bind(7, *filter.sweepId);
    return readRows<RunSummary>(query);
}

std::optional<std::int64_t> RunTable::findRunByUuid(const std::string &uuid)
{
    Statement query(*m_db, "SELECT id FROM runs WHERE uuid = ?1");
    query.bind(1, uuid);
    if (!query.step())
        return std::nullopt;
    return query.columnInt64(0);
}

bool RunTable::deleteRun(std::int64_t runId)
{
    Transaction transaction(*m_db);
    Statement remove(*m_db, "DELETE FROM runs WHERE id = ?1");
    remove.bind(1, runId);
    remove.exec();
    const bool removed = m_db->changes() > 0;
    transaction.commit();
    return removed;
}

std::vector<std::int64_t> RunTable::markInterruptedRuns(std::chrono::seconds heartbeatTimeout)
{
    const std::int64_t ownPid = currentProcessId();
    const std::string ownHost = currentHostName();

    Transaction transaction(*m_db);
    // Under the write lock, so no run can finish between the check and the update.
    Statement query(*m_db,
                    "SELECT id, status, pid, host, heartbeat_at IS NULL OR"
                    " julianday(heartbeat_at) < julianday('now') - ?1 / 86400.0"
                    " FROM runs WHERE status IN ('queued', 'running')");
    query.bind(1, static_cast<double>(heartbeatTimeout.count()));
    std::vector<std::int64_t> gone;
    while (query.step()) {
        const std::int64_t id = query.columnInt64(0);
        const bool running = query.columnText(1) == "running";
        const std::optional<std::int64_t> pid = query.columnOptInt64(2);
        const bool local = pid && !ownHost.empty() && query.columnText(3) == ownHost;
        const bool stale = query.columnInt(4) != 0;
        if (local && *pid == ownPid)
            continue; // the caller's own runs: it knows better than a heartbeat
        const bool dead = local && !isProcessAlive(*pid);
        // A queued run may wait for hours behind another job: its heartbeat only counts when
        // its process cannot be checked here.
        if (dead || (stale && (running || !local)))
            gone.push_back(id);
    }
    query.reset();

    Statement update(*m_db,
                     std::string("UPDATE runs SET status = 'interrupted', finished_at = ") + kNowSql
                         + ", error_message = COALESCE(error_message, 'The process running"
                           " this run stopped before it finished.') WHERE id = ?1");
    for (std::int64_t id : gone) {
        update.bind(1, id);
        update.exec();
    }
    transaction.commit();
    return gone;
}

} // namespace slim::store
