#pragma once
// Internal to slim_store: multi-row INSERT with prepared statements, for the batched appends.

#include "store/database.h"
#include "store/statement.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

namespace slim::store {

// "INSERT ... VALUES (?,?),(?,?),..." with up to rowsPerStatement() rows per statement: one
// statement for full chunks, prepared once and re-bound, and one for the remainder. Far fewer
// VM round trips than a row at a time. Use inside a Transaction; borrows the Database.
// column_traits.h builds the appends of the table families on it.
class MultiRowInsert
{
public:
    // head: "INSERT OR REPLACE INTO t (a, b, c)"; columns: placeholders per row.
    MultiRowInsert(Database &db, std::string head, int columns)
        : m_db(db)
        , m_head(std::move(head))
        , m_columns(columns)
    { }

    // 999 is the smallest limit on bound parameters of any SQLite still in use.
    int rowsPerStatement() const { return std::clamp(999 / m_columns, 1, 128); }

    // bindRow(Statement &, int firstIndex, const Row &) binds one row's m_columns values.
    template<typename Row, typename BindRow>
    void insert(const std::vector<Row> &rows, BindRow bindRow)
    {
        const std::size_t chunk = static_cast<std::size_t>(rowsPerStatement());
        std::size_t begin = 0;
        while (begin < rows.size()) {
            const std::size_t count = std::min(chunk, rows.size() - begin);
            Statement &statement = statementFor(static_cast<int>(count));
            for (std::size_t r = 0; r < count; ++r)
                bindRow(statement, static_cast<int>(r) * m_columns + 1, rows[begin + r]);
            statement.exec();
            begin += count;
        }
    }

private:
    Statement &statementFor(int rows)
    {
        if (rows == rowsPerStatement()) {
            if (!m_full)
                m_full.emplace(m_db, sqlFor(rows));
            return *m_full;
        }
        // Only the last chunk of a call is short, so one tail statement is kept per call.
        if (!m_tail || m_tailRows != rows) {
            m_tail.emplace(m_db, sqlFor(rows));
            m_tailRows = rows;
        }
        return *m_tail;
    }

    std::string sqlFor(int rows) const
    {
        std::string group = "(";
        for (int c = 0; c < m_columns; ++c)
            group += c ? ",?" : "?";
        group += ")";
        std::string sql = m_head + " VALUES ";
        for (int r = 0; r < rows; ++r) {
            if (r)
                sql += ",";
            sql += group;
        }
        return sql;
    }

    Database &m_db;
    std::string m_head;
    int m_columns;
    std::optional<Statement> m_full;
    std::optional<Statement> m_tail;
    int m_tailRows = 0;
};

} // namespace slim::store
