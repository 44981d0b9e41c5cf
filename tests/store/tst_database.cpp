// Database, Statement, Transaction: the RAII layer over the SQLite C API.
#include "store/database.h"
#include "store/run_store.h"
#include "store/statement.h"
#include "store/store_error.h"
#include "store/transaction.h"
#include "store_test_support.h"

#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <stdexcept>

using namespace slim::store;

class TestDatabase : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        QVERIFY(m_dir.isValid());
        m_db.emplace(test::dbPath(m_dir, QTest::currentTestFunction()));
        m_db->exec("CREATE TABLE t (id INTEGER PRIMARY KEY, x INTEGER, d REAL, s TEXT, b BLOB)");
    }
    void cleanup() { m_db.reset(); }

    void connectionIsConfigured()
    {
        Statement mode(*m_db, "PRAGMA journal_mode");
        QVERIFY(mode.step());
        QCOMPARE(mode.columnText(0), std::string("wal"));
        QCOMPARE(m_db->queryInt64("PRAGMA foreign_keys"), 1);
        QCOMPARE(m_db->queryInt64("PRAGMA synchronous"), 2); // FULL: a commit is on the disk
        QCOMPARE(m_db->queryInt64("PRAGMA busy_timeout"), 5000);
    }

    void exceptionInsideTransactionLeavesNoRows()
    {
        try {
            Transaction transaction(*m_db);
            Statement insert(*m_db, "INSERT INTO t (x) VALUES (?1)");
            for (int i = 0; i < 3; ++i) {
                insert.bind(1, i);
                insert.exec();
            }
            throw std::runtime_error("simulated failure half-way");
        } catch (const std::runtime_error &) { }
        QCOMPARE(m_db->queryInt64("SELECT count(*) FROM t"), 0);
        QVERIFY(!m_db->inTransaction());
    }

    void committedTransactionKeepsRows()
    {
        {
            Transaction transaction(*m_db);
            m_db->exec("INSERT INTO t (x) VALUES (1), (2), (3)");
            transaction.commit();
        }
        QCOMPARE(m_db->queryInt64("SELECT count(*) FROM t"), 3);
        // Visible to a second connection, i.e. really committed.
        Database other(m_db->path());
        QCOMPARE(other.queryInt64("SELECT count(*) FROM t"), 3);
    }

    void nestedTransactionIsRefused()
    {
        Transaction outer(*m_db);
        QVERIFY_THROWS_EXCEPTION(StoreError, Transaction inner(*m_db));
    }

    void errorsNameSqliteMessageAndSql()
    {
        try {
            Statement bad(*m_db, "SELEC x FROM t");
            QFAIL("prepare of invalid SQL did not throw");
        } catch (const StoreError &error) {
            const QString what = QString::fromUtf8(error.what());
            QVERIFY2(what.contains(QLatin1String("syntax error")), error.what());
            QVERIFY2(what.contains(QLatin1String("SELEC x FROM t")), error.what());
            QVERIFY(error.code() != 0);
        }
        m_db->exec("CREATE TABLE u (k INTEGER UNIQUE)");
        m_db->exec("INSERT INTO u VALUES (1)");
        Statement dup(*m_db, "INSERT INTO u VALUES (1)");
        try {
            dup.exec();
            QFAIL("duplicate insert did not throw");
        } catch (const StoreError &error) {
            QVERIFY2(QString::fromUtf8(error.what()).contains(QLatin1String("UNIQUE")),
                     error.what());
        }
    }

    // A write lock held past the busy timeout is named as such, with the file.
    void lockHeldByAnotherProgramIsNamed()
    {
        m_db->exec("CREATE TABLE v (k INTEGER)");
        Database other(m_db->path(), {.busyTimeoutMs = 200});
        m_db->exec("BEGIN IMMEDIATE");
        try {
            other.exec("INSERT INTO v VALUES (1)");
            QFAIL("a write under another connection's lock did not throw");
        } catch (const StoreError &error) {
            const QString what = QString::fromUtf8(error.what());
            QVERIFY2(what.contains(QString::fromStdString("'" + m_db->path() + "' is locked by "
                                                          "another program")),
                     error.what());
            QVERIFY2(what.contains(QLatin1String("INSERT INTO v")), error.what());
        }
        m_db->exec("ROLLBACK");
    }

    void typedRoundTrip()
    {
        const std::vector<float> centre {1.5f, -2.25f, 3.0f};
        Statement insert(*m_db, "INSERT INTO t (x, d, s, b) VALUES (?1, ?2, ?3, ?4)");
        insert.bind(1, std::int64_t(1) << 40);
        insert.bind(2, std::nan(""));
        insert.bind(3, std::string("h\xC3\xA9llo"));
        insert.bindBlob(4, centre.data(), centre.size() * sizeof(float));
        insert.exec();
        insert.reset(true);
        insert.bind(1, std::optional<std::int64_t>());
        insert.bind(2, std::optional<double>(0.5));
        insert.bindTextOrNull(3, "");
        insert.bindBlob(4, nullptr, 0);
        insert.exec();

        Statement query(*m_db, "SELECT x, d, s, b, typeof(b) FROM t ORDER BY id");
        QVERIFY(query.step());
        QCOMPARE(query.columnInt64(0), std::int64_t(1) << 40);
        QVERIFY(query.isNull(1)); // SQLite stores NaN as NULL ...
        QVERIFY(std::isnan(query.columnDouble(1))); // ... and it reads back as NaN
        QCOMPARE(query.columnText(2), std::string("h\xC3\xA9llo"));
        QCOMPARE(query.columnArray<float>(3), centre);
        QVERIFY(query.step());
        QCOMPARE(query.columnOptInt64(0), std::optional<std::int64_t>());
        QCOMPARE(query.columnOptDouble(1), std::optional<double>(0.5));
        QVERIFY(query.isNull(2));
        QCOMPARE(query.columnText(4), std::string("blob")); // empty blob, not NULL
        QVERIFY(query.columnArray<float>(3).empty());
        QVERIFY(!query.step());
        QVERIFY_THROWS_EXCEPTION(StoreError, [&] {
            Statement odd(*m_db, "SELECT x'010203'");
            odd.step();
            odd.columnArray<float>(0);
        }());
    }

    void failedBatchLeavesNoRowsAndNoStaleNameIds()
    {
        m_db.reset();
        RunStore store(test::dbPath(m_dir, "batch.sqlite"));
        const std::int64_t run = store.createRun({});
        // Unknown run: the foreign key fails after the new metric name was created inside the
        // transaction. Nothing may remain.
        std::vector<MetricRow> rows;
        for (int i = 0; i < 1000; ++i)
            rows.push_back({i, "brand/new", double(i)});
        QVERIFY_THROWS_EXCEPTION(StoreError, store.appendMetrics(run + 100, rows));
        QCOMPARE(store.database().queryInt64("SELECT count(*) FROM metrics"), 0);
        QCOMPARE(store.database().queryInt64("SELECT count(*) FROM metric_names"), 0);
        // The rolled-back name id must not be reused from a cache.
        store.appendMetrics(run, rows);
        QCOMPARE(store.metricCount(run), 1000);
        QCOMPARE(store.metricNames(run), std::vector<std::string> {"brand/new"});
    }

private:
    QTemporaryDir m_dir;
    std::optional<Database> m_db;
};

QTEST_APPLESS_MAIN(TestDatabase)
#include "tst_database.moc"
