#pragma once
// Small helpers shared by the store tests.

#include "store/database.h"
#include "store/run_records.h"
#include "store/statement.h"

#include <QTemporaryDir>
#include <QTest>

#include <string>

// So QCOMPARE can compare and print the store's enums.
namespace QTest {
template<>
inline char *toString(const slim::store::RunStatus &status)
{
    return qstrdup(std::string(slim::store::runStatusName(status)).c_str());
}
template<>
inline char *toString(const slim::store::TaskKind &kind)
{
    return qstrdup(std::string(slim::store::taskKindName(kind)).c_str());
}
template<>
inline char *toString(const slim::store::ScoringMode &mode)
{
    return qstrdup(std::string(slim::store::scoringModeName(mode)).c_str());
}
} // namespace QTest

namespace slim::store::test {

inline std::string dbPath(const QTemporaryDir &dir, const char *name = "runs.sqlite")
{
    return dir.filePath(QString::fromLatin1(name)).toStdString();
}

inline std::string integrityCheck(Database &db)
{
    Statement query(db, "PRAGMA integrity_check");
    return query.step() ? query.columnText(0) : std::string("no answer");
}

// Every row of every table, as text: equal when nothing in the database changed.
inline std::string wholeDatabase(Database &db)
{
    std::string out;
    Statement tables(db, "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY 1");
    while (tables.step()) {
        const auto table = tables.columnText(0);
        Statement rows(db, "SELECT * FROM " + table);
        out += table + ":";
        while (rows.step())
            for (int c = 0; c < rows.columnCount(); ++c)
                out += rows.columnText(c) + ",";
        out += "\n";
    }
    return out;
}

} // namespace slim::store::test
