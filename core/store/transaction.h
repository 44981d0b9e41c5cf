#pragma once
// RAII write transaction.

namespace slim::store {

class Database;

// BEGIN IMMEDIATE on construction: the write lock is taken up front (waiting up to the busy
// timeout), so a transaction never fails half-way with SQLITE_BUSY when it first writes, as a
// deferred read-then-write transaction can under WAL. The destructor rolls back unless
// commit() succeeded, so an exception anywhere in between leaves no partial rows.
//
// Thread affinity: that of its Database. Not nestable: beginning one on a connection that is
// already inside a transaction throws StoreError.
class Transaction
{
public:
    explicit Transaction(Database &db);
    ~Transaction();
    Transaction(const Transaction &) = delete;
    Transaction &operator=(const Transaction &) = delete;

    void commit();
    // Explicit rollback; the destructor does the same when neither was called.
    void rollback();

private:
    Database &m_db;
    bool m_open = true;
};

} // namespace slim::store
