// RunStore: construction, runs, tags, notes, listing, interrupted runs.
// Series and evaluation live in run_store_series.cpp, analysis tables and files in
// run_store_analysis.cpp.
#include "store/run_store.h"

#include "store/migrations.h"
#include "store/process_info.h"
#include "store/run_store_internal.h"
#include "store/statement.h"
#include "store/store_error.h"
#include "store/transaction.h"

#include <algorithm>
#include <cstdio>
#include <random>

namespace slim::store {

using detail::kNowSql;
using detail::throwNoRun;

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

RunStatus statusColumn(const Statement &query, int column)
{
    // The CHECK constraint keeps unknown names out; fall back rather than throw on a read.
    return runStatusFromName(query.columnText(column)).value_or(RunStatus::Queued);
}

// Tags come from group_concat with the ASCII unit separator, which no sane tag contains.
std::vector<std::string> splitTags(const std::string &joined)
{
    std::vector<std::string> tags;
    std::size_t begin = 0;
    while (begin < joined.size()) {
        std::size_t end = joined.find('\x1f', begin);
        if (end == std::string::npos)
            end = joined.size();
        tags.push_back(joined.substr(begin, end - begin));
        begin = end + 1;
    }
    std::sort(tags.begin(), tags.end());
    return tags;
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

constexpr const char *kTagsSubquery
    = "(SELECT group_concat(tag, char(31)) FROM run_tags t WHERE t.run_id = r.id)";

} // namespace

RunStore::RunStore(const std::string &path)
    : RunStore(Database(path))
{ }

RunStore::RunStore(Database db)
    : m_db(std::move(db))
{
    migrate(m_db);
}

std::int64_t RunStore::createRun(const RunRecord &run)
{
    Transaction transaction(m_db);
    Statement insert(m_db,
                     std::string("INSERT INTO runs (uuid, name, method, status, spec_json,"
                                 " seed, git_commit, versions_json, device,"
                                 " dataset_hashes_json, pid, host, heartbeat_at,"
                                 " current_step, total_steps, progress, parent_run_id,"
                                 " notes, downstream_avg, general_avg, forgetting_avg)"
                                 " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ")
                         + kNowSql + ", ?, ?, ?, ?, ?, ?, ?, ?)");
    insert.bind(1, run.uuid.empty() ? newUuid() : run.uuid);
    insert.bind(2, run.name);
    insert.bind(3, run.method);
    insert.bind(4, runStatusName(run.status));
    insert.bind(5, run.specJson.empty() ? std::string("{}") : run.specJson);
    insert.bind(6, run.seed);
    insert.bindTextOrNull(7, run.gitCommit);
    insert.bind(8, run.versionsJson.empty() ? std::string("{}") : run.versionsJson);
    insert.bindTextOrNull(9, run.device);
    insert.bind(10, run.datasetHashesJson.empty() ? std::string("{}") : run.datasetHashesJson);
    insert.bind(11, run.pid.value_or(currentProcessId()));
    insert.bind(12, run.host.empty() ? currentHostName() : run.host);
    insert.bind(13, run.currentStep);
    insert.bind(14, run.totalSteps);
    insert.bind(15, std::clamp(run.progress, 0.0, 1.0));
    insert.bind(16, run.parentRunId);
    insert.bind(17, run.notes);
    insert.bind(18, run.downstreamAvg);
    insert.bind(19, run.generalAvg);
    insert.bind(20, run.forgettingAvg);
    insert.exec();
    const std::int64_t id = m_db.lastInsertRowId();

    Statement tag(m_db, "INSERT OR IGNORE INTO run_tags (run_id, tag) VALUES (?, ?)");
    for (const std::string &name : run.tags) {
        tag.bind(1, id);
        tag.bind(2, name);
        tag.exec();
    }
    transaction.commit();
    return id;
}

void RunStore::startRun(std::int64_t runId)
{
    Statement update(m_db,
                     std::string("UPDATE runs SET status = 'running', started_at = "
                                 "COALESCE(started_at, ")
                         + kNowSql + "), finished_at = NULL, heartbeat_at = " + kNowSql
                         + ", pid = ?2, host = ?3 WHERE id = ?1");
    update.bind(1, runId);
    update.bind(2, currentProcessId());
    update.bind(3, currentHostName());
    update.exec();
    if (m_db.changes() == 0)
        throwNoRun(runId, "startRun");
}

void RunStore::setStatus(std::int64_t runId, RunStatus status, const std::string &message,
                         const std::string &detail)
{
    const std::string now = kNowSql;
    Statement update(m_db,
                     "UPDATE runs SET status = ?2, error_message = ?3, error_detail = ?4,"
                     " started_at = CASE WHEN ?2 = 'running' THEN COALESCE(started_at, "
                         + now + ") ELSE started_at END, finished_at = CASE WHEN ?5 THEN " + now
                         + " ELSE NULL END, heartbeat_at = " + now + " WHERE id = ?1");
    update.bind(1, runId);
    update.bind(2, runStatusName(status));
    update.bindTextOrNull(3, message);
    update.bindTextOrNull(4, detail);
    update.bind(5, isTerminal(status) ? 1 : 0);
    update.exec();
    if (m_db.changes() == 0)
        throwNoRun(runId, "setStatus");
}

void RunStore::updateProgress(std::int64_t runId, std::int64_t step, std::int64_t totalSteps,
                              double progress)
{
    // NaN would become NULL and break NOT NULL; treat it as "no progress known".
    if (!(progress >= 0.0))
        progress = 0.0;
    Statement update(m_db,
                     std::string("UPDATE runs SET current_step = ?2, total_steps = ?3,"
                                 " progress = ?4, heartbeat_at = ")
                         + kNowSql + " WHERE id = ?1");
    update.bind(1, runId);
    update.bind(2, step);
    update.bind(3, totalSteps);
    update.bind(4, std::min(progress, 1.0));
    update.exec();
    if (m_db.changes() == 0)
        throwNoRun(runId, "updateProgress");
}

void RunStore::heartbeat(std::int64_t runId)
{
    Statement update(m_db,
                     std::string("UPDATE runs SET heartbeat_at = ") + kNowSql + " WHERE id = ?1");
    update.bind(1, runId);
    update.exec();
    if (m_db.changes() == 0)
        throwNoRun(runId, "heartbeat");
}

void RunStore::setEnvironment(std::int64_t runId, const std::string &device,
                              const std::string &versionsJson, const std::string &datasetHashesJson)
{
    Statement update(m_db,
                     "UPDATE runs SET device = ?2, versions_json = ?3,"
                     " dataset_hashes_json = ?4 WHERE id = ?1");
    update.bind(1, runId);
    update.bindTextOrNull(2, device);
    update.bind(3, versionsJson.empty() ? std::string("{}") : versionsJson);
    update.bind(4, datasetHashesJson.empty() ? std::string("{}") : datasetHashesJson);
    update.exec();
    if (m_db.changes() == 0)
        throwNoRun(runId, "setEnvironment");
}

void RunStore::setSummary(std::int64_t runId, std::optional<double> downstreamAvg,
                          std::optional<double> generalAvg, std::optional<double> forgettingAvg)
{
    Statement update(m_db,
                     "UPDATE runs SET downstream_avg = ?2, general_avg = ?3,"
                     " forgetting_avg = ?4 WHERE id = ?1");
    update.bind(1, runId);
    update.bind(2, downstreamAvg);
    update.bind(3, generalAvg);
    update.bind(4, forgettingAvg);
    update.exec();
    if (m_db.changes() == 0)
        throwNoRun(runId, "setSummary");
}

void RunStore::setNotes(std::int64_t runId, const std::string &notes)
{
    Statement update(m_db, "UPDATE runs SET notes = ?2 WHERE id = ?1");
    update.bind(1, runId);
    update.bind(2, notes);
    update.exec();
    if (m_db.changes() == 0)
        throwNoRun(runId, "setNotes");
}

void RunStore::addTag(std::int64_t runId, const std::string &tag)
{
    Statement insert(m_db, "INSERT OR IGNORE INTO run_tags (run_id, tag) VALUES (?1, ?2)");
    insert.bind(1, runId);
    insert.bind(2, tag);
    insert.exec(); // a missing run fails the foreign key
}

void RunStore::removeTag(std::int64_t runId, const std::string &tag)
{
    Statement remove(m_db, "DELETE FROM run_tags WHERE run_id = ?1 AND tag = ?2");
    remove.bind(1, runId);
    remove.bind(2, tag);
    remove.exec();
}

std::vector<std::string> RunStore::tags(std::int64_t runId)
{
    Statement query(m_db, "SELECT tag FROM run_tags WHERE run_id = ?1 ORDER BY tag");
    query.bind(1, runId);
    std::vector<std::string> out;
    while (query.step())
        out.push_back(query.columnText(0));
    return out;
}

std::vector<std::string> RunStore::allTags()
{
    Statement query(m_db, "SELECT DISTINCT tag FROM run_tags ORDER BY tag");
    std::vector<std::string> out;
    while (query.step())
        out.push_back(query.columnText(0));
    return out;
}

std::optional<RunRecord> RunStore::getRun(std::int64_t runId)
{
    Statement query(m_db,
                    std::string("SELECT id, uuid, name, method, status, spec_json, seed,"
                                " git_commit, versions_json, device, dataset_hashes_json,"
                                " created_at, started_at, finished_at, heartbeat_at, pid,"
                                " host, current_step, total_steps, progress, error_message,"
                                " error_detail, parent_run_id, notes, downstream_avg,"
                                " general_avg, forgetting_avg, ")
                        + kTagsSubquery + " FROM runs r WHERE id = ?1");
    query.bind(1, runId);
    if (!query.step())
        return std::nullopt;
    RunRecord run;
    run.id = query.columnInt64(0);
    run.uuid = query.columnText(1);
    run.name = query.columnText(2);
    run.method = query.columnText(3);
    run.status = statusColumn(query, 4);
    run.specJson = query.columnText(5);
    run.seed = query.columnOptInt64(6);
    run.gitCommit = query.columnText(7);
    run.versionsJson = query.columnText(8);
    run.device = query.columnText(9);
    run.datasetHashesJson = query.columnText(10);
    run.createdAt = query.columnText(11);
    run.startedAt = query.columnText(12);
    run.finishedAt = query.columnText(13);
    run.heartbeatAt = query.columnText(14);
    run.pid = query.columnOptInt64(15);
    run.host = query.columnText(16);
    run.currentStep = query.columnInt64(17);
    run.totalSteps = query.columnInt64(18);
    run.progress = query.columnDouble(19);
    run.errorMessage = query.columnText(20);
    run.errorDetail = query.columnText(21);
    run.parentRunId = query.columnOptInt64(22);
    run.notes = query.columnText(23);
    run.downstreamAvg = query.columnOptDouble(24);
    run.generalAvg = query.columnOptDouble(25);
    run.forgettingAvg = query.columnOptDouble(26);
    run.tags = splitTags(query.columnText(27));
    return run;
}

std::vector<RunSummary> RunStore::listRuns(const RunFilter &filter)
{
    std::string sql = std::string("SELECT r.id, r.uuid, r.name, r.method, r.status, r.created_at,"
                                  " r.started_at, r.finished_at, r.current_step, r.total_steps,"
                                  " r.progress, r.error_message, r.parent_run_id, r.notes,"
                                  " r.downstream_avg, r.general_avg, r.forgetting_avg, ")
        + kTagsSubquery + " FROM runs r WHERE 1";
    if (!filter.text.empty()) {
        sql += " AND (r.name LIKE ?1 ESCAPE '\\' OR r.method LIKE ?1 ESCAPE '\\'"
               " OR r.notes LIKE ?1 ESCAPE '\\' OR EXISTS (SELECT 1 FROM run_tags t"
               " WHERE t.run_id = r.id AND t.tag LIKE ?1 ESCAPE '\\'))";
    }
    // Numbered parameters keep their place whether or not the text filter is present.
    if (!filter.method.empty())
        sql += " AND r.method = ?2";
    if (filter.status)
        sql += " AND r.status = ?3";
    if (!filter.tag.empty())
        sql += " AND EXISTS (SELECT 1 FROM run_tags t WHERE t.run_id = r.id AND t.tag = ?4)";
    sql += std::string(" ORDER BY ") + orderClause(filter.order) + " LIMIT ?5 OFFSET ?6";

    Statement query(m_db, sql);
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

    std::vector<RunSummary> out;
    while (query.step()) {
        RunSummary run;
        run.id = query.columnInt64(0);
        run.uuid = query.columnText(1);
        run.name = query.columnText(2);
        run.method = query.columnText(3);
        run.status = statusColumn(query, 4);
        run.createdAt = query.columnText(5);
        run.startedAt = query.columnText(6);
        run.finishedAt = query.columnText(7);
        run.currentStep = query.columnInt64(8);
        run.totalSteps = query.columnInt64(9);
        run.progress = query.columnDouble(10);
        run.errorMessage = query.columnText(11);
        run.parentRunId = query.columnOptInt64(12);
        run.notes = query.columnText(13);
        run.downstreamAvg = query.columnOptDouble(14);
        run.generalAvg = query.columnOptDouble(15);
        run.forgettingAvg = query.columnOptDouble(16);
        run.tags = splitTags(query.columnText(17));
        out.push_back(std::move(run));
    }
    return out;
}

bool RunStore::deleteRun(std::int64_t runId)
{
    Transaction transaction(m_db);
    Statement remove(m_db, "DELETE FROM runs WHERE id = ?1");
    remove.bind(1, runId);
    remove.exec();
    const bool removed = m_db.changes() > 0;
    transaction.commit();
    return removed;
}

std::vector<std::int64_t> RunStore::markInterruptedRuns(std::chrono::seconds heartbeatTimeout)
{
    const std::int64_t ownPid = currentProcessId();
    const std::string ownHost = currentHostName();

    Transaction transaction(m_db);
    // Under the write lock, so no run can finish between the check and the update.
    Statement query(m_db,
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

    Statement update(m_db,
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
