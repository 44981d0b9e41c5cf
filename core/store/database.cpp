#include "store/database.h"

#include "store/migrations.h"

#include "store/statement.h"
#include "store/store_error.h"

#include <sqlite3.h>
#include <sys/vfs.h>

#include <filesystem>

#include <cerrno>
#include <cstring>
#include <utility>

namespace slim::store {

namespace {

// Long multi-row INSERTs would make messages unreadable; the start names the statement.
std::string abbreviated(std::string_view sql)
{
    constexpr std::size_t kMax = 240;
    if (sql.size() <= kMax)
        return std::string(sql);
    return std::string(sql.substr(0, kMax)) + "...";
}

// What went wrong, in words, for the failures users can act on; SQLite's own message else.
std::string describeFailure(const std::string &path, int code, int systemErrno,
                            const std::string &sqliteMessage, int busyTimeoutMs)
{
    const std::string file = "'" + path + "'";
    const int primary = code & 0xff;
    // The operating system's errno only means something after a failed file operation.
    if (primary != SQLITE_IOERR && primary != SQLITE_FULL && primary != SQLITE_READONLY
        && primary != SQLITE_CANTOPEN)
        systemErrno = 0;
    const std::string reason = systemErrno != 0 ? std::string(" (") + std::strerror(systemErrno) + ")"
                                                : std::string();
    if (primary == SQLITE_FULL || systemErrno == ENOSPC || systemErrno == EDQUOT)
        return "the disk holding " + file + " is full" + reason;
    if (primary == SQLITE_READONLY || systemErrno == EROFS)
        return file + " cannot be written: it or its disk is read-only" + reason;
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
        return file + " is locked by another program (waited " + std::to_string(busyTimeoutMs / 1000)
               + " s for it to finish writing)";
    if (primary == SQLITE_IOERR)
        return file + ": the disk reported an input/output error" + reason;
    if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB)
        return file + " is damaged (" + sqliteMessage + ")";
    return file + ": SQLite error " + std::to_string(code) + ": " + sqliteMessage;
}

} // namespace

Database::Database(const std::string &path)
    : Database(path, Options {})
{ }

Database::Database(const std::string &path, const Options &options)
    : m_path(path)
{
    // NOMUTEX: multi-thread mode. Connections are never shared between threads (see header),
    // so SQLite's per-connection mutex would only cost time.
    int flags = SQLITE_OPEN_NOMUTEX;
    if (options.readOnly)
        flags |= SQLITE_OPEN_READONLY;
    else
        flags |= SQLITE_OPEN_READWRITE | (options.create ? SQLITE_OPEN_CREATE : 0);

    const int rc = sqlite3_open_v2(path.c_str(), &m_db, flags, nullptr);
    if (rc != SQLITE_OK) {
        const std::string message = m_db ? sqlite3_errmsg(m_db) : sqlite3_errstr(rc);
        close();
        throw StoreError("cannot open database '" + path + "': " + message, rc);
    }
    sqlite3_extended_result_codes(m_db, 1);
    try {
        // The busy timeout first: switching to WAL needs a moment of exclusive access, which
        // may have to wait for another connection opening the same file.
        m_busyTimeoutMs = options.busyTimeoutMs;
        sqlite3_busy_timeout(m_db, options.busyTimeoutMs);
        // Read before writing anything: a file that is not a database, or a database from a
        // newer program, is refused as it is (switching it to WAL would rewrite its header).
        try {
            queryInt64("PRAGMA schema_version");
        } catch (const StoreError &e) {
            if ((e.code() & 0xff) == SQLITE_NOTADB)
                throw StoreError("'" + path + "' is not a SLIM Workbench database (not an SQLite "
                                 "file, or a damaged one)", e.code());
            throw;
        }
        checkNotNewer(*this);
        if (!options.readOnly) {
            // journal_mode returns a row, so it is stepped, not exec'd blindly; a file system
            // without shared memory support answers "delete" and we keep going.
            const bool rollback = options.journal == Journal::Rollback
                                  || (options.journal == Journal::Auto
                                      && !networkFileSystemOf(path).empty());
            Statement journal(*this, rollback ? "PRAGMA journal_mode=DELETE"
                                              : "PRAGMA journal_mode=WAL");
            journal.step();
        }
        // FULL: every commit reaches the disk before it returns. With NORMAL a WAL is synced only
        // when it is checkpointed (every ~4 MB), so a disk that fails or a power cut could
        // take minutes of a run's records, or the whole run, with it.
        exec("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;");
    } catch (...) {
        close();
        throw;
    }
}

std::string networkFileSystemOf(const std::string &path)
{
    struct statfs info {};
    std::filesystem::path probe = path;
    std::error_code error;
    if (!std::filesystem::exists(probe, error))
        probe = probe.has_parent_path() ? probe.parent_path() : std::filesystem::path(".");
    if (statfs(probe.c_str(), &info) != 0)
        return {};
    // Magic numbers of linux/magic.h and the file systems' own headers.
    switch (static_cast<unsigned long>(info.f_type)) {
    case 0x6969: return "nfs";
    case 0x517B: return "smb";
    case 0xFF534D42: return "cifs";
    case 0xFE534D42: return "smb2";
    case 0x0BD00BD0: return "lustre";
    case 0x47504653: return "gpfs";
    case 0x19830326: return "beegfs";
    case 0x00C36400: return "ceph";
    case 0x5346414F: return "afs";
    case 0x01021997: return "9p";
    case 0x65735546: return "fuse";
    default: return {};
    }
}

Database::~Database()
{
    close();
}

Database::Database(Database &&other) noexcept
    : m_db(std::exchange(other.m_db, nullptr))
    , m_path(std::move(other.m_path))
    , m_busyTimeoutMs(other.m_busyTimeoutMs)
{ }

Database &Database::operator=(Database &&other) noexcept
{
    if (this != &other) {
        close();
        m_db = std::exchange(other.m_db, nullptr);
        m_path = std::move(other.m_path);
        m_busyTimeoutMs = other.m_busyTimeoutMs;
    }
    return *this;
}

void Database::close() noexcept
{
    if (m_db) {
        // v2 defers the close if a statement is still alive instead of failing; statements
        // are RAII too, so that only happens on misuse and must not leak the handle.
        sqlite3_close_v2(m_db);
        m_db = nullptr;
    }
}

void Database::exec(std::string_view sql)
{
    const std::string text(sql);
    char *error = nullptr;
    const int rc = sqlite3_exec(m_db, text.c_str(), nullptr, nullptr, &error);
    if (rc != SQLITE_OK) {
        const std::string message = error ? error : sqlite3_errstr(rc);
        sqlite3_free(error);
        throwError(sqlite3_extended_errcode(m_db), message, sql);
    }
}

std::int64_t Database::queryInt64(std::string_view sql)
{
    Statement query(*this, sql);
    return query.step() ? query.columnInt64(0) : 0;
}

int Database::userVersion()
{
    return static_cast<int>(queryInt64("PRAGMA user_version"));
}

void Database::setUserVersion(int version)
{
    // PRAGMA takes no bound parameters; the value is an int, so formatting is safe.
    exec("PRAGMA user_version = " + std::to_string(version));
}

std::int64_t Database::lastInsertRowId() const
{
    return sqlite3_last_insert_rowid(m_db);
}

int Database::changes() const
{
    return sqlite3_changes(m_db);
}

bool Database::inTransaction() const
{
    return sqlite3_get_autocommit(m_db) == 0;
}

void Database::throwError(int code, std::string_view what) const
{
    throwError(code, m_db ? sqlite3_errmsg(m_db) : sqlite3_errstr(code), what);
}

void Database::throwError(int code, const std::string &sqliteMessage, std::string_view what) const
{
    const int systemErrno = m_db ? sqlite3_system_errno(m_db) : 0;
    throw StoreError(describeFailure(m_path, code, systemErrno, sqliteMessage, m_busyTimeoutMs)
                         + " (in: " + abbreviated(what) + ")",
                     code);
}

std::string sqliteLibraryVersion()
{
    return sqlite3_libversion();
}

} // namespace slim::store
