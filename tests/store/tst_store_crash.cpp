// Crash safety: a writer process killed with SIGKILL mid-write leaves a sound database with
// whole batches only, and its run is then found interrupted.
#include "store/run_store.h"
#include "store_test_support.h"

#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

#include <csignal>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace slim::store;

namespace {

constexpr int kRowsPerBatch = 2000;
constexpr int kBatchesBeforeKill = 5;
constexpr char kAck = 1; // one per committed batch
constexpr char kMidWrite = 'M'; // the child is inside a batch and stops there

// Stops the child inside a write: SQLite's progress callback (every 100 VM instructions) counts
// the work of each batch; half-way through batch kBatchesBeforeKill it reports "mid-write" and
// blocks forever, so the parent's SIGKILL lands while that batch is half inserted,
// deterministically (several multi-row statements in).
struct MidWriteTrap
{
    int calls = 0; // in the current batch
    int fireAt = 0; // 0 = not armed
    int ackFd = -1;
};

int onProgress(void *context)
{
    auto *trap = static_cast<MidWriteTrap *>(context);
    if (++trap->calls == trap->fireAt) {
        if (::write(trap->ackFd, &kMidWrite, 1) != 1)
            ::_exit(3);
        int never[2];
        if (::pipe(never) == 0) {
            char byte;
            while (::read(never[0], &byte, 1) != 0) { // we hold the write end: blocks forever
            }
        }
        ::_exit(4);
    }
    return 0;
}

// The child: its own connection, batches forever, one byte on `ackFd` per committed batch.
// Never returns; it is killed.
[[noreturn]] void writeUntilKilled(const std::string &path, std::int64_t run, int ackFd)
{
    try {
        RunStore store(path);
        store.startRun(run); // records the child's pid
        MidWriteTrap trap;
        trap.ackFd = ackFd;
        sqlite3_progress_handler(store.database().handle(), 100, &onProgress, &trap);
        for (int b = 0;; ++b) {
            std::vector<MetricRow> rows;
            rows.reserve(kRowsPerBatch);
            for (int i = 0; i < kRowsPerBatch; ++i) {
                const std::int64_t step = std::int64_t(b) * kRowsPerBatch + i;
                rows.push_back({step, i % 3 ? "loss/lm" : "loss/aux", double(step)});
            }
            if (b == kBatchesBeforeKill)
                trap.fireAt = trap.calls / 2; // half of what the previous batch took
            trap.calls = 0;
            store.appendMetrics(run, rows);
            if (::write(ackFd, &kAck, 1) != 1)
                ::_exit(3);
        }
    } catch (...) {
        ::_exit(2);
    }
}

} // namespace

class TestStoreCrash : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void killedWriterLeavesWholeBatches()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const std::string path = test::dbPath(dir);
        std::int64_t run = 0;
        {
            RunStore setup(path);
            run = setup.createRun({});
        } // no connection of ours is open across fork()

        int pipeFds[2];
        QCOMPARE(::pipe(pipeFds), 0);
        const pid_t child = ::fork();
        QVERIFY(child >= 0);
        if (child == 0) {
            ::close(pipeFds[0]);
            writeUntilKilled(path, run, pipeFds[1]);
        }
        ::close(pipeFds[1]);

        // Wait (blocking on the pipe, no sleeps) until the child has committed some batches and
        // is stopped inside the next one, then kill it there.
        int acks = 0;
        bool midWrite = false;
        char buffer[16];
        while (!midWrite) {
            const ssize_t n = ::read(pipeFds[0], buffer, sizeof(buffer));
            if (n <= 0)
                break; // the child died on its own: checked below
            for (ssize_t i = 0; i < n; ++i) {
                if (buffer[i] == kAck)
                    ++acks;
                else if (buffer[i] == kMidWrite)
                    midWrite = true;
            }
        }
        QCOMPARE(::kill(child, SIGKILL), 0);
        int status = 0;
        QCOMPARE(::waitpid(child, &status, 0), child);
        ::close(pipeFds[0]);
        QVERIFY2(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
                 "the writer exited before it was killed");
        QVERIFY(midWrite);
        QCOMPARE(acks, kBatchesBeforeKill);

        RunStore store(path);
        QCOMPARE(test::integrityCheck(store.database()), std::string("ok"));
        const std::int64_t rows = store.metricCount(run);
        QCOMPARE(rows % kRowsPerBatch, 0); // no half batch
        QCOMPARE(rows / kRowsPerBatch, acks); // nothing committed was lost, nothing more
        QCOMPARE(store.getRun(run)->status, RunStatus::Running);
        QCOMPARE(store.markInterruptedRuns(), std::vector<std::int64_t> {run});
        QCOMPARE(store.getRun(run)->status, RunStatus::Interrupted);
        qInfo("killed after %d acknowledged batches; %lld rows survived", acks,
              static_cast<long long>(rows));
    }
};

QTEST_APPLESS_MAIN(TestStoreCrash)
#include "tst_store_crash.moc"
