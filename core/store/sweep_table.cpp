// SweepTable: sweeps and their Slurm submissions.
#include "store/sweep_table.h"

#include "store/row_columns.h"
#include "store/statement.h"
#include "store/store_error.h"
#include "store/transaction.h"

#include <algorithm>
#include <cctype>

namespace slim::store {

using namespace detail;

std::int64_t SweepTable::createSweep(const SweepRecord &sweep)
{
    Transaction transaction(*m_db);
    Statement insert(*m_db, "INSERT INTO sweeps (" + writtenList<SweepRecord>()
                                + ") VALUES (" + placeholders(columnCount<SweepRecord>(true))
                                + ") ON CONFLICT (uuid) DO NOTHING");
    bindRow(insert, 1, sweep);
    insert.exec();
    Statement query(*m_db, "SELECT id FROM sweeps WHERE uuid = ?1");
    query.bind(1, sweep.uuid);
    query.step();
    const std::int64_t id = query.columnInt64(0);
    query.reset();
    transaction.commit();
    return id;
}

std::optional<SweepRecord> SweepTable::getSweep(std::int64_t sweepId)
{
    Statement query(*m_db, selectSql<SweepRecord>("WHERE id = ?1"));
    query.bind(1, sweepId);
    if (!query.step())
        return std::nullopt;
    return readRow<SweepRecord>(query);
}

std::optional<SweepRecord> SweepTable::findSweepByUuid(const std::string &uuid)
{
    Statement query(*m_db, selectSql<SweepRecord>("WHERE uuid = ?1"));
    query.bind(1, uuid);
    if (!query.step())
        return std::nullopt;
    return readRow<SweepRecord>(query);
}

std::vector<SweepRecord> SweepTable::listSweeps()
{
    Statement query(*m_db, selectSql<SweepRecord>("ORDER BY created_at DESC, id DESC"));
    return readRows<SweepRecord>(query);
}

std::vector<SweepRecord> SweepTable::findSweeps(const std::string &reference)
{
    const bool number = !reference.empty()
                        && std::all_of(reference.begin(), reference.end(),
                                       [](unsigned char c) { return std::isdigit(c); });
    Statement query(*m_db, selectSql<SweepRecord>(
                               "WHERE (?1 AND id = CAST(?2 AS INTEGER))"
                               " OR (length(?2) >= 4 AND substr(uuid, 1, length(?2)) = ?2)"
                               " OR name = ?2 ORDER BY created_at DESC, id DESC"));
    query.bind(1, number ? 1 : 0);
    query.bind(2, reference);
    return readRows<SweepRecord>(query);
}

void SweepTable::setSlurmJson(std::int64_t sweepId, const std::string &json)
{
    Statement update(*m_db, "UPDATE sweeps SET slurm_json = ?2 WHERE id = ?1");
    update.bind(1, sweepId);
    update.bind(2, json);
    update.exec();
    if (m_db->changes() == 0)
        throw StoreError("setSlurmJson: no sweep with id " + std::to_string(sweepId));
}

} // namespace slim::store
