// importRuns: a private snapshot of the source, attached, then one transaction per run.
#include "store/run_import.h"

#include "store/process_info.h"
#include "store/statement.h"
#include "store/store_error.h"
#include "store/transaction.h"

#include <sqlite3.h>

#include <filesystem>
#include <optional>
#include <utility>

namespace slim::store {

namespace {

namespace fs = std::filesystem;

constexpr const char *kGoneMessage = "The process running this run stopped before it finished.";

// The snapshot file of one import, removed with its journal files however the import ends.
class Snapshot
{
public:
    explicit Snapshot(const std::string &target)
    {
        static int counter = 0;
        m_path = target + ".import-" + std::to_string(currentProcessId()) + "-"
                 + std::to_string(++counter) + ".sqlite";
        removeFiles();
    }
    ~Snapshot() { removeFiles(); }
    Snapshot(const Snapshot &) = delete;
    Snapshot &operator=(const Snapshot &) = delete;
    const std::string &path() const { return m_path; }

    // Snapshots left by imports that were killed (their process is gone).
    static void removeStale(const std::string &target)
    {
        const fs::path folder = fs::path(target).parent_path().empty()
                                    ? fs::path(".")
                                    : fs::path(target).parent_path();
        const auto prefix = fs::path(target).filename().string() + ".import-";
        std::error_code error;
        for (const auto &entry : fs::directory_iterator(folder, error)) {
            const auto name = entry.path().filename().string();
            if (!name.starts_with(prefix))
                continue;
            try {
                const auto pid = std::stoll(name.substr(prefix.size()));
                if (!isProcessAlive(pid))
                    fs::remove(entry.path(), error);
            } catch (const std::exception &) {
            }
        }
    }

private:
    void removeFiles() const
    {
        std::error_code error;
        for (const char *suffix : {"", "-journal", "-wal", "-shm"})
            fs::remove(m_path + suffix, error);
    }
    std::string m_path;
};

// Copies the source into `snapshot` at the current schema; throws StoreError naming the source.
void takeSnapshot(const std::string &source, const std::string &target, const Snapshot &snapshot)
{
    std::error_code error;
    if (!fs::exists(source, error))
        throw StoreError("'" + source + "': no such file");
    if (fs::equivalent(source, target, error))
        throw StoreError("'" + source + "' is the database being imported into");
    {
        Database::Options options;
        options.readOnly = true;
        Database db(source, options); // refuses a file that is not a database, or a newer one
        if (db.queryInt64("SELECT count(*) FROM sqlite_schema WHERE type = 'table'"
                          " AND name = 'runs'")
            == 0)
            throw StoreError("'" + source + "' is not a SLIM Workbench database (it has no runs)");
        Statement copy(db, "VACUUM INTO ?1");
        copy.bind(1, snapshot.path());
        copy.exec();
    }
    try {
        RunStore upgraded(snapshot.path()); // migrates an older version's copy
    } catch (const StoreError &e) {
        throw StoreError("'" + source + "' cannot be read as a SLIM Workbench database of an "
                             "earlier version (" + e.what() + ")",
                         e.code());
    }
}

// ATTACH ... AS src for the lifetime of the object.
class Attached
{
public:
    Attached(Database &db, const std::string &path)
        : m_db(db)
    {
        Statement attach(db, "ATTACH DATABASE ?1 AS src");
        attach.bind(1, path);
        attach.exec();
    }
    ~Attached()
    {
        try {
            m_db.exec("DETACH DATABASE src");
        } catch (const StoreError &) {
        }
    }
    Attached(const Attached &) = delete;
    Attached &operator=(const Attached &) = delete;

private:
    Database &m_db;
};

struct ColumnInfo
{
    std::string name;
    bool rowidAlias = false;
};

std::vector<ColumnInfo> columnsOf(Database &db, const std::string &table)
{
    Statement query(db, "SELECT name, pk, type FROM pragma_table_info(?1, 'main')");
    query.bind(1, table);
    std::vector<ColumnInfo> columns;
    while (query.step())
        columns.push_back({query.columnText(0),
                           query.columnInt(1) == 1 && query.columnText(2) == "INTEGER"
                               && query.columnText(0) == "id"});
    return columns;
}

// "INSERT INTO main.T (...) SELECT ... FROM src.T WHERE <where>": every column copied as it is
// except those `expression` maps (it returns "" to copy, "-" to leave out).
template<typename Map>
std::string copySql(Database &db, const std::string &table, const std::string &where,
                    Map expression)
{
    std::string names, values;
    for (const auto &column : columnsOf(db, table)) {
        auto value = expression(column);
        if (value == "-")
            continue;
        names += (names.empty() ? "" : ", ") + column.name;
        values += (values.empty() ? "" : ", ") + (value.empty() ? column.name : value);
    }
    return "INSERT INTO main." + table + " (" + names + ") SELECT " + values + " FROM src." + table
           + " WHERE " + where;
}

// The statements copying one run, built once per import from the target's schema (the
// snapshot's is the same: both are at the current version).
struct RunCopier
{
    std::string run; // ?1 source id, ?2 target id (NULL: new), ?3 sweep, ?4 parent, ?5 gone
    std::vector<std::string> children; // ?1 source id, ?2 target id

    explicit RunCopier(Database &db)
    {
        const std::string gone = "?5";
        run = copySql(db, "runs", "id = ?1", [&](const ColumnInfo &c) -> std::string {
            if (c.name == "id")
                return "?2";
            if (c.name == "sweep_id")
                return "?3";
            if (c.name == "parent_run_id")
                return "?4";
            if (c.name == "status")
                return "CASE WHEN " + gone + " THEN 'interrupted' ELSE status END";
            if (c.name == "finished_at")
                return "CASE WHEN " + gone + " THEN heartbeat_at ELSE finished_at END";
            if (c.name == "error_message")
                return "CASE WHEN " + gone + " THEN COALESCE(error_message, '" + kGoneMessage
                       + "') ELSE error_message END";
            return "";
        });
        Statement tables(db, "SELECT m.name FROM sqlite_schema m WHERE m.type = 'table'"
                             " AND m.name <> 'runs' AND EXISTS (SELECT 1 FROM"
                             " pragma_table_info(m.name) p WHERE p.name = 'run_id') ORDER BY 1");
        while (tables.step()) {
            const auto table = tables.columnText(0);
            children.push_back(copySql(db, table, "run_id = ?1", [&](const ColumnInfo &c) {
                if (c.rowidAlias)
                    return std::string("-");
                if (c.name == "run_id")
                    return std::string("?2");
                if (c.name == "name_id")
                    return "(SELECT mn.id FROM main.metric_names mn WHERE mn.name = (SELECT"
                           " sn.name FROM src.metric_names sn WHERE sn.id = src."
                           + table + ".name_id))";
                return std::string();
            }));
        }
    }
};

// The snapshot has every table and column this version's schema has (a file can say it is
// at the current version and still have been edited); throws naming what is missing.
void checkSourceSchema(Database &db, const std::string &source)
{
    Statement missing(db, "SELECT m.name, c.name FROM main.sqlite_schema m,"
                          " pragma_table_info(m.name, 'main') c WHERE m.type = 'table'"
                          " AND m.name NOT LIKE 'sqlite_%' AND NOT EXISTS (SELECT 1 FROM"
                          " pragma_table_info(m.name, 'src') s WHERE s.name = c.name)"
                          " LIMIT 1");
    if (missing.step())
        throw StoreError("'" + source + "' is not a SLIM Workbench database this version can read"
                         " (its table " + missing.columnText(0) + " has no column "
                         + missing.columnText(1) + ")");
}

struct SourceRun
{
    std::int64_t id = 0;
    std::string uuid, name, status, finishedAt;
    std::int64_t step = 0;
    std::optional<std::int64_t> sweepId, parentId;
    bool stale = false; // heartbeat older than 5 minutes
};

std::vector<SourceRun> sourceRuns(Database &db)
{
    Statement query(db, "SELECT id, uuid, name, status, current_step, COALESCE(finished_at, ''),"
                        " sweep_id, parent_run_id, heartbeat_at IS NULL OR julianday(heartbeat_at)"
                        " < julianday('now') - 300 / 86400.0 FROM src.runs ORDER BY id");
    std::vector<SourceRun> runs;
    while (query.step())
        runs.push_back({query.columnInt64(0), query.columnText(1), query.columnText(2),
                        query.columnText(3), query.columnText(5), query.columnInt64(4),
                        query.columnOptInt64(6), query.columnOptInt64(7), query.columnInt(8) != 0});
    return runs;
}

struct TargetRun
{
    std::int64_t id = 0;
    std::string status, finishedAt, notes;
    std::int64_t step = 0;
    std::vector<std::string> tags;
};

std::optional<TargetRun> targetRun(RunStore &target, const std::string &uuid)
{
    Statement query(target.database(), "SELECT id, status, current_step,"
                                       " COALESCE(finished_at, ''), notes FROM main.runs"
                                       " WHERE uuid = ?1");
    query.bind(1, uuid);
    if (!query.step())
        return std::nullopt;
    TargetRun run {query.columnInt64(0), query.columnText(1), query.columnText(3),
                   query.columnText(4), query.columnInt64(2), {}};
    query.reset();
    run.tags = target.tags(run.id);
    return run;
}

// The target's id of a source sweep, recorded there first when missing.
std::optional<std::int64_t> targetSweep(Database &db, std::optional<std::int64_t> sourceSweep)
{
    if (!sourceSweep)
        return std::nullopt;
    Statement insert(db, "INSERT INTO main.sweeps (uuid, name, spec_json, run_count, created_at)"
                         " SELECT uuid, name, spec_json, run_count, created_at FROM src.sweeps"
                         " WHERE id = ?1 ON CONFLICT (uuid) DO NOTHING");
    insert.bind(1, *sourceSweep);
    insert.exec();
    Statement query(db, "SELECT s.id FROM main.sweeps s JOIN src.sweeps o ON o.uuid = s.uuid"
                        " WHERE o.id = ?1");
    query.bind(1, *sourceSweep);
    return query.step() ? std::optional(query.columnInt64(0)) : std::nullopt;
}

std::optional<std::int64_t> targetParent(Database &db, std::optional<std::int64_t> sourceParent)
{
    if (!sourceParent)
        return std::nullopt;
    Statement query(db, "SELECT r.id FROM main.runs r JOIN src.runs o ON o.uuid = r.uuid"
                        " WHERE o.id = ?1");
    query.bind(1, *sourceParent);
    return query.step() ? std::optional(query.columnInt64(0)) : std::nullopt;
}

// What to do with one source run, before any write.
ImportedRun decide(const SourceRun &run, const std::optional<TargetRun> &here, bool gone)
{
    ImportedRun out {run.uuid, run.name, ImportAction::Added, here ? here->id : 0, {}};
    const bool active = run.status == "queued" || run.status == "running";
    if (active && !gone) {
        out.action = ImportAction::Skipped;
        out.reason = "still " + run.status + " in its database; import it again once it has ended";
        return out;
    }
    if (!here)
        return out;
    const std::string status = gone ? "interrupted" : run.status;
    if (here->status == status && here->step == run.step
        && (gone || here->finishedAt == run.finishedAt)) {
        out.action = ImportAction::Unchanged;
    } else if (here->status == "queued" || here->status == "running") {
        out.action = ImportAction::Kept;
        out.reason = "it is " + here->status + " here";
    } else if (here->status == "succeeded") {
        out.action = ImportAction::Kept;
        out.reason = "it has succeeded here";
    } else {
        out.action = ImportAction::Replaced;
    }
    return out;
}

void copyRun(RunStore &target, const RunCopier &copier, const SourceRun &run, bool gone,
             ImportedRun &outcome, const std::optional<TargetRun> &here)
{
    Database &db = target.database();
    Transaction transaction(db);
    std::vector<std::int64_t> children; // runs resumed or duplicated from the replaced one
    if (here) {
        Statement query(db, "SELECT id FROM main.runs WHERE parent_run_id = ?1");
        query.bind(1, here->id);
        while (query.step())
            children.push_back(query.columnInt64(0));
        query.reset();
        Statement remove(db, "DELETE FROM main.runs WHERE id = ?1"); // sets their parent NULL
        remove.bind(1, here->id);
        remove.exec();
    }
    Statement names(db, "INSERT OR IGNORE INTO main.metric_names (name) SELECT name FROM"
                        " src.metric_names WHERE id IN (SELECT name_id FROM src.metrics WHERE"
                        " run_id = ?1)");
    names.bind(1, run.id);
    names.exec();
    Statement insert(db, copier.run);
    insert.bind(1, run.id);
    insert.bind(2, here ? std::optional(here->id) : std::nullopt);
    insert.bind(3, targetSweep(db, run.sweepId));
    insert.bind(4, targetParent(db, run.parentId));
    insert.bind(5, gone ? 1 : 0);
    insert.exec();
    if (db.changes() != 1) // listed, yet not readable by its id: a damaged or odd file
        throw StoreError("its row cannot be read back by its id", SQLITE_MISMATCH);
    const std::int64_t id = here ? here->id : db.lastInsertRowId();
    for (const auto &sql : copier.children) {
        Statement child(db, sql);
        child.bind(1, run.id);
        child.bind(2, id);
        child.exec();
    }
    if (here) {
        Statement tag(db, "INSERT OR IGNORE INTO main.run_tags (run_id, tag) VALUES (?1, ?2)");
        for (const auto &name : here->tags) {
            tag.bind(1, id);
            tag.bind(2, name);
            tag.exec();
        }
        Statement parent(db, "UPDATE main.runs SET parent_run_id = ?2 WHERE id = ?1");
        for (const auto child : children) {
            parent.bind(1, child);
            parent.bind(2, id);
            parent.exec();
        }
        if (!here->notes.empty()) {
            Statement notes(db, "UPDATE main.runs SET notes = ?2 WHERE id = ?1");
            notes.bind(1, id);
            notes.bind(2, here->notes);
            notes.exec();
        }
    }
    transaction.commit();
    outcome.targetId = id;
}

} // namespace

std::string_view importActionName(ImportAction action)
{
    switch (action) {
    case ImportAction::Added: return "added";
    case ImportAction::Replaced: return "replaced";
    case ImportAction::Unchanged: return "unchanged";
    case ImportAction::Kept: return "kept";
    case ImportAction::Skipped: return "skipped";
    }
    return "?";
}

std::size_t ImportReport::count(ImportAction action) const
{
    std::size_t n = 0;
    for (const auto &run : runs)
        n += run.action == action;
    return n;
}

ImportReport importRuns(RunStore &target, const std::string &source,
                        const ImportProgress &progress, std::stop_token stop)
{
    Database &db = target.database();
    Snapshot::removeStale(db.path());
    Snapshot snapshot(db.path());
    takeSnapshot(source, db.path(), snapshot);
    Attached attached(db, snapshot.path());
    checkSourceSchema(db, source);
    const RunCopier copier(db);

    ImportReport report;
    report.source = source;
    const auto runs = sourceRuns(db);
    bool changed = false;
    for (std::size_t i = 0; i < runs.size(); ++i) {
        if (stop.stop_requested()) {
            report.cancelled = true;
            break;
        }
        const auto &run = runs[i];
        const bool gone = (run.status == "queued" || run.status == "running") && run.stale;
        const auto here = targetRun(target, run.uuid);
        auto outcome = decide(run, here, gone);
        if (outcome.action == ImportAction::Added || outcome.action == ImportAction::Replaced) {
            try {
                copyRun(target, copier, run, gone, outcome, here);
                changed = true;
            } catch (const StoreError &e) {
                // A run whose rows break the schema's rules in the file (a damaged or edited
                // database) is left out, whole; anything else (this database's disk) stops.
                const int code = e.code() & 0xff;
                if (code != SQLITE_CONSTRAINT && code != SQLITE_MISMATCH)
                    throw;
                outcome.action = ImportAction::Skipped;
                outcome.targetId = 0;
                outcome.reason = std::string("its rows in the file are damaged: ") + e.what();
            }
        }
        report.runs.push_back(std::move(outcome));
        if (progress)
            progress(i + 1, runs.size());
    }
    if (changed) {
        // Base-model scores are shared by every run of a base model: the missing ones too.
        Transaction transaction(db);
        db.exec(copySql(db, "base_scores", "1", [](const ColumnInfo &) { return std::string(); })
                + " ON CONFLICT DO NOTHING");
        transaction.commit();
    }
    return report;
}

} // namespace slim::store
