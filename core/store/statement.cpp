#include "store/statement.h"

#include "store/database.h"
#include "store/store_error.h"

#include <sqlite3.h>

#include <cmath>
#include <limits>
#include <utility>

namespace slim::store {

Statement::Statement(Database &db, std::string_view sql)
    : m_db(&db)
    , m_sql(sql)
{
    const int rc = sqlite3_prepare_v2(db.handle(), m_sql.data(), static_cast<int>(m_sql.size()),
                                      &m_stmt, nullptr);
    if (rc != SQLITE_OK)
        db.throwError(rc, m_sql);
}

Statement::~Statement()
{
    sqlite3_finalize(m_stmt);
}

Statement::Statement(Statement &&other) noexcept
    : m_db(other.m_db)
    , m_stmt(std::exchange(other.m_stmt, nullptr))
    , m_sql(std::move(other.m_sql))
{ }

Statement &Statement::operator=(Statement &&other) noexcept
{
    if (this != &other) {
        sqlite3_finalize(m_stmt);
        m_db = other.m_db;
        m_stmt = std::exchange(other.m_stmt, nullptr);
        m_sql = std::move(other.m_sql);
    }
    return *this;
}

void Statement::check(int rc) const
{
    if (rc != SQLITE_OK)
        m_db->throwError(rc, m_sql);
}

void Statement::bind(int index, int value)
{
    check(sqlite3_bind_int(m_stmt, index, value));
}

void Statement::bind(int index, std::int64_t value)
{
    check(sqlite3_bind_int64(m_stmt, index, value));
}

void Statement::bind(int index, double value)
{
    check(sqlite3_bind_double(m_stmt, index, value));
}

void Statement::bind(int index, std::string_view value)
{
    check(sqlite3_bind_text64(m_stmt, index, value.data(), value.size(), SQLITE_TRANSIENT,
                              SQLITE_UTF8));
}

void Statement::bindNull(int index)
{
    check(sqlite3_bind_null(m_stmt, index));
}

void Statement::bindBlob(int index, const void *data, std::size_t bytes)
{
    // A zero-length blob must still be a blob, not NULL: SQLite needs a non-null pointer.
    static const char kEmpty = 0;
    check(sqlite3_bind_blob64(m_stmt, index, bytes ? data : &kEmpty, bytes, SQLITE_TRANSIENT));
}

void Statement::bindTextOrNull(int index, std::string_view value)
{
    if (value.empty())
        bindNull(index);
    else
        bind(index, value);
}

bool Statement::step()
{
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    // Reset so a failed statement does not keep its snapshot or lock; the error message is
    // read before the reset can overwrite it.
    const std::string message = sqlite3_errmsg(m_db->handle());
    const int code = sqlite3_extended_errcode(m_db->handle());
    sqlite3_reset(m_stmt);
    m_db->throwError(code, message, m_sql);
}

void Statement::exec()
{
    while (step()) { }
    reset();
}

void Statement::reset(bool clearBindings)
{
    // sqlite3_reset repeats the last step's error code; step() has already reported it.
    sqlite3_reset(m_stmt);
    if (clearBindings)
        sqlite3_clear_bindings(m_stmt);
}

int Statement::columnCount() const
{
    return sqlite3_column_count(m_stmt);
}

bool Statement::isNull(int column) const
{
    return sqlite3_column_type(m_stmt, column) == SQLITE_NULL;
}

std::int64_t Statement::columnInt64(int column) const
{
    return sqlite3_column_int64(m_stmt, column);
}

int Statement::columnInt(int column) const
{
    return sqlite3_column_int(m_stmt, column);
}

double Statement::columnDouble(int column) const
{
    if (isNull(column))
        return std::numeric_limits<double>::quiet_NaN();
    return sqlite3_column_double(m_stmt, column);
}

std::string Statement::columnText(int column) const
{
    const auto *text = sqlite3_column_text(m_stmt, column);
    if (!text)
        return {};
    const int bytes = sqlite3_column_bytes(m_stmt, column);
    return std::string(reinterpret_cast<const char *>(text), static_cast<std::size_t>(bytes));
}

std::optional<double> Statement::columnOptDouble(int column) const
{
    if (isNull(column))
        return std::nullopt;
    return sqlite3_column_double(m_stmt, column);
}

std::optional<std::int64_t> Statement::columnOptInt64(int column) const
{
    if (isNull(column))
        return std::nullopt;
    return sqlite3_column_int64(m_stmt, column);
}

const void *Statement::blobData(int column, std::size_t &bytes) const
{
    // Pointer first, then size: that is the order SQLite documents as safe.
    const void *data = sqlite3_column_blob(m_stmt, column);
    bytes = static_cast<std::size_t>(sqlite3_column_bytes(m_stmt, column));
    return data;
}

std::vector<unsigned char> Statement::columnBlob(int column) const
{
    std::size_t bytes = 0;
    const auto *data = static_cast<const unsigned char *>(blobData(column, bytes));
    return data ? std::vector<unsigned char>(data, data + bytes) : std::vector<unsigned char> {};
}

void Statement::throwBadArray(int column, std::size_t bytes, std::size_t element) const
{
    throw StoreError("blob column " + std::to_string(column) + " has " + std::to_string(bytes)
                     + " bytes, not a multiple of " + std::to_string(element)
                     + " (in: " + m_sql.substr(0, 240) + ")");
}

} // namespace slim::store
