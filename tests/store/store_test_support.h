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

} // namespace slim::store::test
