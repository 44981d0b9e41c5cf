// Two connections at once: a writer appending metric batches while a reader counts rows and
// occasionally writes itself, as the recorder and the GUI do.
#include "store/run_store.h"
#include "store_test_support.h"

#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <exception>
#include <thread>

using namespace slim::store;

class TestStoreConcurrency : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void readerWhileWriting()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const std::string path = test::dbPath(dir);
        RunStore reader(path);
        const std::int64_t run = reader.createRun({});

        constexpr int kBatches = 200;
        constexpr int kRowsPerBatch = 250;
        std::atomic<bool> writerDone {false};
        std::string writerError;
        std::thread writer([&] {
            try {
                RunStore store(path); // its own connection, on its own thread
                for (int b = 0; b < kBatches; ++b) {
                    std::vector<MetricRow> rows;
                    for (int i = 0; i < kRowsPerBatch; ++i) {
                        const int step = b * kRowsPerBatch + i;
                        rows.push_back({step, i % 2 ? "loss/lm" : "lr", double(step)});
                    }
                    store.appendMetrics(run, rows);
                    store.updateProgress(run, (b + 1) * kRowsPerBatch, kBatches * kRowsPerBatch,
                                         double(b + 1) / kBatches);
                }
            } catch (const std::exception &error) {
                writerError = error.what();
            }
            writerDone = true;
        });

        std::int64_t previous = 0;
        int reads = 0;
        std::string readerError;
        try {
            // Reads until the writer is done; every read is a real query, not a sleep.
            while (!writerDone) {
                const std::int64_t count = reader.metricCount(run);
                // Recorded, not QVERIFY'd: returning early would leave the thread unjoined.
                if (count < previous)
                    readerError = "row count went down";
                else if (count % kRowsPerBatch != 0)
                    readerError = "a reader saw half a batch";
                if (!readerError.empty())
                    break;
                previous = count;
                reader.series(run, "loss/lm", 100);
                // Writes from the second connection contend for the write lock; the busy
                // timeout must absorb that rather than leak SQLITE_BUSY.
                if (++reads % 25 == 0)
                    reader.setNotes(run, "read " + std::to_string(reads));
            }
        } catch (const std::exception &error) {
            readerError = error.what();
        }
        writer.join();
        QVERIFY2(writerError.empty(), writerError.c_str());
        QVERIFY2(readerError.empty(), readerError.c_str());
        QCOMPARE(reader.metricCount(run), std::int64_t(kBatches) * kRowsPerBatch);
        QCOMPARE(reader.getRun(run)->progress, 1.0);
        QVERIFY(reads > 0);
        qInfo("reader made %d passes while the writer wrote", reads);
    }
};

QTEST_APPLESS_MAIN(TestStoreConcurrency)
#include "tst_store_concurrency.moc"
