#pragma once
// RAII prepared statement.

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct sqlite3_stmt;

namespace slim::store {

class Database;

// One prepared statement on a Database. Bind parameters by 1-based index, step() through the
// rows, read columns by 0-based index, reset() to run it again with new bindings.
//
// Thread affinity: that of its Database. Ownership: owns the sqlite3_stmt and borrows the
// Database, which must outlive it. A statement that has returned rows keeps a read snapshot
// open until it is reset or destroyed, so keep statements short-lived or reset them.
//
// NaN doubles are stored by SQLite as NULL; columnDouble() maps NULL back to NaN.
class Statement
{
public:
    Statement(Database &db, std::string_view sql);
    ~Statement();
    Statement(Statement &&other) noexcept;
    Statement &operator=(Statement &&other) noexcept;
    Statement(const Statement &) = delete;
    Statement &operator=(const Statement &) = delete;

    void bind(int index, int value);
    void bind(int index, std::int64_t value);
    void bind(int index, double value);
    void bind(int index, std::string_view value); // copied by SQLite
    void bind(int index, const char *value) { bind(index, std::string_view(value)); }
    void bind(int index, const std::string &value) { bind(index, std::string_view(value)); }
    void bindNull(int index);
    void bindBlob(int index, const void *data, std::size_t bytes); // copied by SQLite
    // An empty optional binds NULL.
    template<typename T>
    void bind(int index, const std::optional<T> &value)
    {
        if (value)
            bind(index, *value);
        else
            bindNull(index);
    }
    // Binds NULL for an empty string: optional text columns keep NULL for "not set".
    void bindTextOrNull(int index, std::string_view value);

    // Runs one step: true when a row is available, false when the statement is done.
    bool step();
    // Steps to completion, ignoring any rows, then resets (bindings are kept).
    void exec();
    // Makes the statement runnable again; bindings are kept unless clearBindings is true.
    void reset(bool clearBindings = false);

    int columnCount() const;
    bool isNull(int column) const;
    std::int64_t columnInt64(int column) const;
    int columnInt(int column) const;
    double columnDouble(int column) const; // NULL -> NaN
    std::string columnText(int column) const; // NULL -> ""
    std::optional<double> columnOptDouble(int column) const;
    std::optional<std::int64_t> columnOptInt64(int column) const;
    std::vector<unsigned char> columnBlob(int column) const;
    // Blob reinterpreted as an array of T (host byte order); the size must be a multiple.
    template<typename T>
    std::vector<T> columnArray(int column) const;

    const std::string &sql() const { return m_sql; }

private:
    void check(int rc) const;
    const void *blobData(int column, std::size_t &bytes) const;
    [[noreturn]] void throwBadArray(int column, std::size_t bytes, std::size_t element) const;

    Database *m_db = nullptr;
    sqlite3_stmt *m_stmt = nullptr;
    std::string m_sql;
};

template<typename T>
std::vector<T> Statement::columnArray(int column) const
{
    std::size_t bytes = 0;
    const void *data = blobData(column, bytes);
    if (bytes % sizeof(T) != 0)
        throwBadArray(column, bytes, sizeof(T));
    std::vector<T> out(bytes / sizeof(T));
    if (bytes)
        std::memcpy(out.data(), data, bytes);
    return out;
}

} // namespace slim::store
