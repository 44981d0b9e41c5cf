#include "store/transaction.h"

#include "store/database.h"
#include "store/store_error.h"

#include <sqlite3.h>

namespace slim::store {

Transaction::Transaction(Database &db)
    : m_db(db)
{
    if (db.inTransaction())
        throw StoreError("cannot begin a transaction: the connection is already in one");
    db.exec("BEGIN IMMEDIATE");
}

Transaction::~Transaction()
{
    if (!m_open)
        return;
    // No throwing from a destructor. If SQLite already rolled back on its own (some errors,
    // e.g. SQLITE_FULL, do that) the ROLLBACK fails harmlessly.
    sqlite3_exec(m_db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit()
{
    if (!m_open)
        throw StoreError("commit: the transaction is already finished");
    m_db.exec("COMMIT");
    m_open = false;
}

void Transaction::rollback()
{
    if (!m_open)
        return;
    m_open = false;
    if (m_db.inTransaction())
        m_db.exec("ROLLBACK");
}

} // namespace slim::store
