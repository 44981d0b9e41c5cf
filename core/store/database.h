#pragma once
// RAII owner of one SQLite connection.

#include <cstdint>
#include <string>
#include <string_view>

struct sqlite3;

namespace slim::store {

// One open connection, configured for the run store: WAL journal (a rollback journal on a
// network file system, see Journal), synchronous=FULL (a commit
// is on the disk when it returns: durable across crashes, power cuts and a disk turning
// read-only),
// foreign_keys=ON, and a busy timeout (default 5000 ms) so short write locks of other
// connections are waited for instead of failing with SQLITE_BUSY.
//
// Thread affinity: a connection is opened in SQLite's multi-thread mode, so it must be used by
// one thread at a time. Give every thread its own Database (the recorder writes on its
// connection, the UI reads on another); WAL lets readers run while one writer writes.
// Ownership: owns the sqlite3 handle; movable, not copyable. Statements and Transactions borrow
// it and must be destroyed before it.
class Database
{
public:
    // WAL lets readers run beside the writer, but needs shared memory that every process
    // using the file maps: safe only when they are all on one machine. On a network file
    // system (NFS, SMB, Lustre, GPFS, BeeGFS, CephFS, FUSE file systems such as sshfs) SQLite
    // must use a rollback journal instead. Auto picks by the file system of the file's folder.
    enum class Journal { Auto, Wal, Rollback };

    struct Options
    {
        int busyTimeoutMs = 5000;
        bool readOnly = false;
        bool create = true; // create the file if it does not exist (ignored when readOnly)
        Journal journal = Journal::Auto; // ignored when readOnly
    };

    // Opens (and by default creates) the database file. Throws StoreError.
    explicit Database(const std::string &path);
    Database(const std::string &path, const Options &options);
    ~Database();
    Database(Database &&other) noexcept;
    Database &operator=(Database &&other) noexcept;
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;

    // Runs one or more ;-separated statements that return no rows of interest.
    void exec(std::string_view sql);
    // First column of the first row of a query, as an integer (0 when there is no row).
    std::int64_t queryInt64(std::string_view sql);

    int userVersion();
    // Only the migrations should call this, inside their transaction.
    void setUserVersion(int version);

    std::int64_t lastInsertRowId() const;
    int changes() const;
    bool inTransaction() const;

    const std::string &path() const { return m_path; }
    sqlite3 *handle() const { return m_db; }

    // Throws StoreError built from this connection's last error, naming `what` (SQL or an
    // operation). For Statement and Transaction.
    [[noreturn]] void throwError(int code, std::string_view what) const;
    // The same with SQLite's message read beforehand (a reset may have replaced it). The
    // message names the database file and, for what users can fix (a full or read-only disk, a
    // lock held by another program, an I/O error, a damaged file), says so in words, with the
    // operating system's reason.
    [[noreturn]] void throwError(int code, const std::string &sqliteMessage,
                                 std::string_view what) const;

private:
    void close() noexcept;

    sqlite3 *m_db = nullptr;
    std::string m_path;
    int m_busyTimeoutMs = 0;
};

// The name of the network (or FUSE) file system holding `path` ("nfs", "lustre", ...; for a
// file that does not exist yet, its folder), or "" for a local one.
std::string networkFileSystemOf(const std::string &path);

// The SQLite library's version ("3.40.1"), recorded with every run.
std::string sqliteLibraryVersion();

} // namespace slim::store
