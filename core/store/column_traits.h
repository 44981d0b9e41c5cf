#pragma once
// Internal to slim_store: per-row column traits. Each row type lists its columns once, in a
// RowColumns<Row> specialisation (row_columns.h); the functions here turn that list into the
// SQL column lists, the binds of the INSERTs and the reads of the SELECTs.

#include "store/multi_row_insert.h"
#include "store/run_records.h"
#include "store/statement.h"
#include "store/transaction.h"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

namespace slim::store::detail {

// SQL expression for "now" in the store's timestamp format (see docs/store.md).
inline constexpr const char *kNowSql = "strftime('%Y-%m-%dT%H:%M:%fZ','now')";

// How the row INSERT treats a column; every column is read by the SELECTs.
enum ColumnFlags : unsigned {
    kWritten = 0, // bound by the INSERT
    kReadOnly = 1u << 0, // not bound: a default, the store's clock, or another write sets it
    kEmptyIsNull = 1u << 1, // text bound as NULL when empty ("not set")
};

// One column: its SQL (the column name, or for a read-only column any SQL expression) and the
// path of members holding it in the row: &Row::x, or &Row::key, &Key::x for a nested struct.
template<unsigned Flags, auto... Path>
struct Column
{
    static constexpr unsigned flags = Flags;
    static constexpr bool written = !(Flags & kReadOnly);
    const char *sql;

    template<typename Row>
    static constexpr auto &of(Row &row)
    {
        // clang-format off
        return (row .* ... .* Path);
        // clang-format on
    }
};

template<auto... Path>
constexpr Column<kWritten, Path...> column(const char *sql)
{
    return {sql};
}
template<auto... Path>
constexpr Column<kReadOnly, Path...> readOnlyColumn(const char *sql)
{
    return {sql};
}
template<auto... Path>
constexpr Column<kEmptyIsNull, Path...> textOrNullColumn(const char *sql)
{
    return {sql};
}

// The columns of a struct nested in a row at member `Outer` (e.g. BaseScoreRow::key).
template<auto Outer, unsigned Flags, auto... Path>
constexpr Column<Flags, Outer, Path...> nestedColumn(const Column<Flags, Path...> &inner)
{
    return {inner.sql};
}
template<auto Outer, typename... Columns>
constexpr auto nestedColumns(const std::tuple<Columns...> &columns)
{
    return std::apply(
        [](const auto &...inner) { return std::tuple {nestedColumn<Outer>(inner)...}; }, columns);
}

// Specialised once per row type (row_columns.h) with
//   static constexpr auto columns = std::tuple {column<&Row::x>("x"), ...};
// in the order of the SELECTs, plus `static constexpr const char *table` for table rows.
template<typename Row>
struct RowColumns;

// --- binding and reading one value, by member type ----------------------------------------

inline void bindValue(Statement &s, int i, std::int64_t value)
{
    s.bind(i, value);
}
// NaN is bound as NULL by SQLite and read back as NaN by Statement::columnDouble.
inline void bindValue(Statement &s, int i, double value)
{
    s.bind(i, value);
}
inline void bindValue(Statement &s, int i, bool value)
{
    s.bind(i, value ? 1 : 0);
}
inline void bindValue(Statement &s, int i, const std::string &value)
{
    s.bind(i, value);
}
template<typename T>
void bindValue(Statement &s, int i, const std::optional<T> &value)
{
    s.bind(i, value); // empty -> NULL
}
inline void bindValue(Statement &s, int i, RunStatus value)
{
    s.bind(i, runStatusName(value));
}
inline void bindValue(Statement &s, int i, ScoringMode value)
{
    s.bind(i, scoringModeName(value));
}
inline void bindValue(Statement &s, int i, TaskKind value)
{
    s.bind(i, taskKindName(value));
}
// Arrays are blobs in the host byte order (little-endian on every supported platform).
template<typename T>
requires std::is_arithmetic_v<T>
void bindValue(Statement &s, int i, const std::vector<T> &values)
{
    s.bindBlob(i, values.data(), values.size() * sizeof(T));
}

inline void readValue(const Statement &q, int c, std::int64_t &out)
{
    out = q.columnInt64(c);
}
inline void readValue(const Statement &q, int c, double &out)
{
    out = q.columnDouble(c);
}
inline void readValue(const Statement &q, int c, bool &out)
{
    out = q.columnInt(c) != 0;
}
inline void readValue(const Statement &q, int c, std::string &out)
{
    out = q.columnText(c);
}
inline void readValue(const Statement &q, int c, std::optional<double> &out)
{
    out = q.columnOptDouble(c);
}
inline void readValue(const Statement &q, int c, std::optional<std::int64_t> &out)
{
    out = q.columnOptInt64(c);
}
// CHECK constraints keep unknown names out of the enum columns; a read falls back rather than
// throw.
inline void readValue(const Statement &q, int c, RunStatus &out)
{
    out = runStatusFromName(q.columnText(c)).value_or(RunStatus::Queued);
}
inline void readValue(const Statement &q, int c, ScoringMode &out)
{
    const auto mode = scoringModeFromName(q.columnText(c));
    out = mode ? *mode : EvalRow {}.mode;
}
inline void readValue(const Statement &q, int c, TaskKind &out)
{
    out = q.columnText(c) == "general" ? TaskKind::General : TaskKind::Downstream;
}
template<typename T>
requires std::is_arithmetic_v<T>
void readValue(const Statement &q, int c, std::vector<T> &out)
{
    out = q.columnArray<T>(c);
}
// A text list from group_concat(x, char(31)) (the ASCII unit separator, which no sane tag
// contains), sorted.
inline void readValue(const Statement &q, int c, std::vector<std::string> &out)
{
    const std::string joined = q.columnText(c);
    out.clear();
    std::size_t begin = 0;
    while (begin < joined.size()) {
        std::size_t end = joined.find('\x1f', begin);
        if (end == std::string::npos)
            end = joined.size();
        out.push_back(joined.substr(begin, end - begin));
        begin = end + 1;
    }
    std::sort(out.begin(), out.end());
}

// --- whole rows -----------------------------------------------------------------------------

template<typename Row, typename F>
constexpr void forEachColumn(F &&f)
{
    std::apply([&f](const auto &...columns) { (f(columns), ...); }, RowColumns<Row>::columns);
}

template<typename Row>
constexpr int columnCount(bool writtenOnly)
{
    int n = 0;
    forEachColumn<Row>([&](const auto &c) { n += !writtenOnly || c.written; });
    return n;
}

// The SQL of the columns (every one, or the written ones) at positions [from, to) among
// them, each put in `format` for '%', joined by `separator`.
template<typename Row>
std::string columnList(bool writtenOnly, int from = 0, int to = INT_MAX,
                       std::string_view format = "%", std::string_view separator = ", ")
{
    std::string out;
    int index = 0;
    forEachColumn<Row>([&](const auto &c) {
        if (writtenOnly && !c.written)
            return;
        const int position = index++;
        if (position < from || position >= to)
            return;
        if (position > from)
            out += separator;
        for (char ch : format) {
            if (ch == '%')
                out += c.sql;
            else
                out += ch;
        }
    });
    return out;
}
template<typename Row>
std::string selectList()
{
    return columnList<Row>(false);
}
template<typename Row>
std::string writtenList()
{
    return columnList<Row>(true);
}

// Binds the written columns of `row` to parameters first, first + 1, ...; returns the next.
template<typename Row>
int bindRow(Statement &s, int first, const Row &row)
{
    forEachColumn<Row>([&](const auto &c) {
        using C = std::remove_cvref_t<decltype(c)>;
        if constexpr (C::written) {
            if constexpr ((C::flags & kEmptyIsNull) != 0)
                s.bindTextOrNull(first++, C::of(row));
            else
                bindValue(s, first++, C::of(row));
        }
    });
    return first;
}

// Reads every column, in selectList() order, from result column `first` on.
template<typename Row>
Row readRow(const Statement &q, int first = 0)
{
    Row row;
    forEachColumn<Row>([&](const auto &c) { readValue(q, first++, c.of(row)); });
    return row;
}

template<typename Row>
std::vector<Row> readRows(Statement &q)
{
    std::vector<Row> out;
    while (q.step())
        out.push_back(readRow<Row>(q));
    return out;
}

// "?, ?, ?": `count` parameters.
inline std::string placeholders(int count)
{
    std::string out;
    for (int i = 0; i < count; ++i)
        out += i ? ", ?" : "?";
    return out;
}

// The first result column of every row, for single-column queries (names, tags, steps).
template<typename T>
std::vector<T> readFirstColumn(Statement &q)
{
    std::vector<T> out;
    while (q.step())
        readValue(q, 0, out.emplace_back());
    return out;
}

// "SELECT <every column> FROM <table> <rest>".
template<typename Row>
std::string selectSql(std::string_view rest)
{
    return "SELECT " + selectList<Row>() + " FROM " + RowColumns<Row>::table + " "
        + std::string(rest);
}

// The rows of one run: "SELECT <every column> FROM <table> WHERE run_id = ?1 <rest>".
template<typename Row>
std::vector<Row> selectRunRows(Database &db, std::int64_t runId, std::string_view rest)
{
    Statement query(db, selectSql<Row>("WHERE run_id = ?1 " + std::string(rest)));
    query.bind(1, runId);
    return readRows<Row>(query);
}

// --- rows of one run: run_id, then the row's written columns -------------------------------

template<typename Row>
std::string runRowsHead(std::string_view verb)
{
    return std::string(verb) + " INTO " + RowColumns<Row>::table + " (run_id, " + writtenList<Row>()
        + ")";
}

template<typename Row>
constexpr int runRowParams()
{
    return 1 + columnCount<Row>(true);
}

template<typename Row>
auto runRowBinder(std::int64_t runId)
{
    return [runId](Statement &s, int first, const Row &row) {
        s.bind(first, runId);
        bindRow(s, first + 1, row);
    };
}

// Rows of one run, batched, replacing rows with the same key; inside the caller's transaction.
template<typename Row>
void replaceRunRows(Database &db, std::int64_t runId, const std::vector<Row> &rows)
{
    MultiRowInsert(db, runRowsHead<Row>("INSERT OR REPLACE"), runRowParams<Row>())
        .insert(rows, runRowBinder<Row>(runId));
}

// The same in a transaction of its own (nothing when empty): the append methods.
template<typename Row>
void appendRunRows(Database &db, std::int64_t runId, const std::vector<Row> &rows)
{
    if (rows.empty())
        return;
    Transaction transaction(db);
    replaceRunRows(db, runId, rows);
    transaction.commit();
}

// An upsert of one row: run_id (bound first, when withRunId) and the written columns; on a
// conflict of run_id and the first `keyColumns` written columns, the other written columns are
// replaced and created_at is set to now.
template<typename Row>
std::string upsertSql(bool withRunId, int keyColumns)
{
    const std::string runId = withRunId ? "run_id, " : "";
    return std::string("INSERT INTO ") + RowColumns<Row>::table + " (" + runId + writtenList<Row>()
        + ") VALUES (" + placeholders(withRunId + columnCount<Row>(true)) + ") ON CONFLICT ("
        + runId + columnList<Row>(true, 0, keyColumns) + ") DO UPDATE SET "
        + columnList<Row>(true, keyColumns, INT_MAX, "% = excluded.%")
        + ", created_at = " + kNowSql;
}

} // namespace slim::store::detail
