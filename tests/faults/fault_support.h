#pragma once
// What the fault and kill tests share: a private mount namespace (so a test may mount small file
// systems, fill them and turn them read-only without touching the machine's), slimctl runs with
// a private data folder, the tiny model's long run spec, and the checks every fault ends with
// (the database's integrity, a run's status and final weights).

#include "slimctl_process.h"

#include <nlohmann/json.hpp>
#include <QProcess>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <optional>
#include <string>

namespace slim::testing::faults {

// Called first in main(): re-executes the test inside `unshare --mount` (with --map-root-user
// when not root) so its mounts are private and vanish with it. Where no namespace can be made,
// returns in the original one and mountProblem() says why.
void enterPrivateMountNamespace(int argc, char **argv);
// Empty when the test may mount; else why not (for QSKIP).
QString mountProblem();

// A tmpfs of `bytes` at `dir` (created); returns the error, empty on success.
QString mountTmpfs(const QString &dir, qint64 bytes);
// A fresh ext4 file system of `bytes` in an image file, loop-mounted at `dir` with
// errors=remount-ro (as the ext4 default of many distributions); returns the error.
QString mountExt4(const QString &image, const QString &dir, qint64 bytes);
// Mounts an existing file system image at `dir` (loop, errors=remount-ro); returns the error.
QString mountImage(const QString &image, const QString &dir);
// Makes the ext4 mounted at `dir` report an error (its sysfs trigger_fs_error), which remounts
// it read-only under running writers, as a failing disk does; returns the error.
QString failExt4(const QString &dir);
// `source` seen through a FUSE file system at `dir` (bindfs): what SQLite treats like a network
// file system.
QString mountFuse(const QString &source, const QString &dir);
QString unmount(const QString &dir);
// Lazily unmounts what this test mounted and has not unmounted (for cleanupTestCase).
void unmountAll();
// Writes `dir`/filler until the file system is full; returns the bytes written.
qint64 fillFileSystem(const QString &dir);

struct Cgroup
{
    QString dir;     // the new cgroup's folder
    QString problem; // why none could be made (empty on success)
};
// A new memory cgroup (v2 or v1) under the test's own, limited to `bytes`; the caller removes
// its folder when the processes in it have ended.
Cgroup makeMemoryCgroup(qint64 bytes);

// "ok" when the database passes PRAGMA integrity_check (opened read-only), else the problems.
std::string integrityOf(const QString &dbPath);

// slimctl with --db `db`, run to its end (killed after `timeoutMs`).
test::ProcessResult slimctl(const QString &db, const QString &home, const QStringList &args,
                            int timeoutMs = 600000);
// slimctl started in the background with the same environment.
void startSlimctl(QProcess &process, const QString &db, const QString &home,
                  const QStringList &args);

// The tiny model's slim run of `steps` steps, a checkpoint every 10 and metrics every step.
nlohmann::json longRunSpec(const QString &modelDir, int steps);

struct RunState
{
    std::int64_t id = 0;
    std::string status, error;
    std::int64_t step = 0;
    std::string finalWeights; // sha256 of the adapter at the run's last checkpoint
};
// The run named `name` (read-only; nullopt when there is none).
std::optional<RunState> runNamed(const QString &dbPath, const std::string &name);
// Waits (up to `timeoutMs`) until the run named `name` has a checkpoint at step `step` or
// later recorded.
bool waitForCheckpoint(const QString &dbPath, const std::string &name, std::int64_t step,
                       int timeoutMs = 120000);

} // namespace slim::testing::faults
