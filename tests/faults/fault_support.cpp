#include "fault_support.h"

#include "fixture_store.h"
#include "store/database.h"
#include "store/statement.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QTest>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>
#include <vector>

namespace slim::testing::faults {

namespace {

constexpr const char *kNamespaceVariable = "SLIM_TEST_MOUNT_NAMESPACE";

QString g_mountProblem;
QStringList g_mounts; // made by this test, newest last

QString runCommand(const QString &program, const QStringList &args)
{
    QProcess p;
    p.start(program, args);
    if (!p.waitForFinished(60000)) {
        p.kill();
        return program + " " + args.join(' ') + ": timed out";
    }
    if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
        return program + " " + args.join(' ') + ": "
               + QString::fromUtf8(p.readAllStandardError()).trimmed();
    return {};
}

QStringList unshareArguments()
{
    QStringList args{"--mount", "--propagation", "private"};
    if (::geteuid() != 0)
        args << "--map-root-user";
    return args;
}

} // namespace

void enterPrivateMountNamespace(int argc, char **argv)
{
    const char *state = std::getenv(kNamespaceVariable);
    if (state && std::strcmp(state, "inside") == 0)
        return;
    if (state) { // "unavailable: why"
        g_mountProblem = QString::fromUtf8(state);
        return;
    }
    // Probe first: a failing unshare after exec would leave no test to report it.
    QProcess probe;
    probe.start("unshare", unshareArguments() << "true");
    if (!probe.waitForFinished(30000) || probe.exitCode() != 0) {
        g_mountProblem = "no private mount namespace (unshare: "
                         + QString::fromUtf8(probe.readAllStandardError()).trimmed()
                         + probe.errorString() + ")";
        return;
    }
    ::setenv(kNamespaceVariable, "inside", 1);
    std::vector<QByteArray> storage{"unshare"};
    for (const auto &a : unshareArguments())
        storage.push_back(a.toUtf8());
    for (int i = 0; i < argc; ++i)
        storage.push_back(argv[i]);
    std::vector<char *> args;
    for (auto &s : storage)
        args.push_back(s.data());
    args.push_back(nullptr);
    ::execvp("unshare", args.data());
    g_mountProblem = QString("cannot run unshare: ") + std::strerror(errno);
    ::unsetenv(kNamespaceVariable);
}

QString mountProblem()
{
    return g_mountProblem;
}

QString mountTmpfs(const QString &dir, qint64 bytes)
{
    QDir().mkpath(dir);
    auto error = runCommand("mount", {"-t", "tmpfs", "-o", "size=" + QString::number(bytes), "tmpfs", dir});
    if (error.isEmpty())
        g_mounts << dir;
    return error;
}

QString mountExt4(const QString &image, const QString &dir, qint64 bytes)
{
    QDir().mkpath(dir);
    QFile::remove(image);
    if (auto e = runCommand("truncate", {"-s", QString::number(bytes), image}); !e.isEmpty())
        return e;
    if (auto e = runCommand("mkfs.ext4", {"-q", "-F", image}); !e.isEmpty())
        return e;
    return mountImage(image, dir);
}

QString mountImage(const QString &image, const QString &dir)
{
    auto error = runCommand("mount", {"-o", "loop,errors=remount-ro", image, dir});
    if (error.isEmpty())
        g_mounts << dir;
    return error;
}

QString failExt4(const QString &dir)
{
    QProcess findmnt;
    findmnt.start("findmnt", {"-no", "SOURCE", dir});
    findmnt.waitForFinished(30000);
    const auto device = QFileInfo(QString::fromUtf8(findmnt.readAllStandardOutput()).trimmed())
                            .fileName();
    QFile trigger("/sys/fs/ext4/" + device + "/trigger_fs_error");
    if (device.isEmpty() || !trigger.open(QIODevice::WriteOnly))
        return "no ext4 error trigger for " + dir + " (device '" + device + "')";
    trigger.write("injected by the fault test\n");
    trigger.close(); // the write itself reports the error it triggered
    return {};
}

QString mountFuse(const QString &source, const QString &dir)
{
    QDir().mkpath(source);
    QDir().mkpath(dir);
    auto error = runCommand("bindfs", {source, dir});
    if (error.isEmpty())
        g_mounts << dir;
    return error;
}

QString unmount(const QString &dir)
{
    g_mounts.removeAll(dir);
    return runCommand("umount", {dir});
}

void unmountAll()
{
    while (!g_mounts.isEmpty())
        runCommand("umount", {"-l", g_mounts.takeLast()});
}

qint64 fillFileSystem(const QString &dir)
{
    const auto path = QDir(dir).filePath("filler").toStdString();
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd < 0)
        return 0;
    std::vector<char> block(64 * 1024, 'x');
    qint64 total = 0;
    for (std::size_t size = block.size(); size > 0;) {
        const auto n = ::write(fd, block.data(), size);
        if (n > 0)
            total += n;
        else
            size /= 2; // the last blocks, until not even a byte fits
    }
    ::fsync(fd);
    ::close(fd);
    return total;
}

Cgroup makeMemoryCgroup(qint64 bytes)
{
    QFile own("/proc/self/cgroup");
    if (!own.open(QIODevice::ReadOnly))
        return {{}, "no /proc/self/cgroup"};
    const auto name = QString("slim-fault-test-%1").arg(::getpid());
    for (const auto &line : QString::fromUtf8(own.readAll()).split('\n', Qt::SkipEmptyParts)) {
        const auto fields = line.split(':');
        if (fields.size() < 3)
            continue;
        const bool v2 = fields[1].isEmpty() && QFileInfo::exists("/sys/fs/cgroup/cgroup.controllers");
        const bool v1 = fields[1].split(',').contains("memory");
        if (!v1 && !v2)
            continue;
        const QString dir = (v2 ? "/sys/fs/cgroup" : "/sys/fs/cgroup/memory") + fields[2] + "/" + name;
        if (!QDir().mkpath(dir))
            return {{}, "cannot create " + dir};
        QFile limit(dir + (v2 ? "/memory.max" : "/memory.limit_in_bytes"));
        if (!limit.open(QIODevice::WriteOnly) || limit.write(QByteArray::number(bytes)) < 0) {
            QDir().rmdir(dir);
            return {{}, "cannot set the memory limit of " + dir};
        }
        return {dir, {}};
    }
    return {{}, "no memory controller in /proc/self/cgroup"};
}

std::string integrityOf(const QString &dbPath)
{
    try {
        store::Database db(dbPath.toStdString(), {.readOnly = true});
        store::Statement query(db, "PRAGMA integrity_check");
        std::string answer;
        while (query.step())
            answer += (answer.empty() ? "" : "; ") + query.columnText(0);
        return answer;
    } catch (const std::exception &e) {
        return std::string("cannot check: ") + e.what();
    }
}

test::ProcessResult slimctl(const QString &db, const QString &home, const QStringList &args,
                            int timeoutMs)
{
    return test::runProcess(SLIMCTL_PATH, QStringList{"--db", db} + args, home, timeoutMs);
}

void startSlimctl(QProcess &process, const QString &db, const QString &home,
                  const QStringList &args)
{
    process.setProcessEnvironment(test::testEnvironment(home));
    process.start(SLIMCTL_PATH, QStringList{"--db", db} + args);
}

nlohmann::json longRunSpec(const QString &modelDir, int steps)
{
    auto spec = nlohmann::json::parse(tinySpecJson(modelDir, "slim", steps));
    spec["schedule"]["log_every"] = 1;
    spec["schedule"]["checkpoint_every"] = 10;
    spec["schedule"]["eval_every"] = 100;
    return spec;
}

std::optional<RunState> runNamed(const QString &dbPath, const std::string &name)
{
    store::Database db(dbPath.toStdString(), {.readOnly = true});
    store::Statement run(db, "SELECT id, status, COALESCE(error_message, ''), current_step"
                             " FROM runs WHERE name = ?1 ORDER BY id DESC LIMIT 1");
    run.bind(1, name);
    if (!run.step())
        return std::nullopt;
    RunState state{run.columnInt64(0), run.columnText(1), run.columnText(2), run.columnInt64(3), {}};
    store::Statement last(db, "SELECT sha256 FROM checkpoints WHERE run_id = ?1"
                              " ORDER BY step DESC LIMIT 1");
    last.bind(1, state.id);
    if (last.step())
        state.finalWeights = last.columnText(0);
    return state;
}

bool waitForCheckpoint(const QString &dbPath, const std::string &name, std::int64_t step,
                       int timeoutMs)
{
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < timeoutMs) {
        try {
            if (QFileInfo::exists(dbPath)) {
                store::Database db(dbPath.toStdString(), {.readOnly = true});
                store::Statement query(db, "SELECT MAX(c.step) FROM checkpoints c JOIN runs r"
                                           " ON r.id = c.run_id WHERE r.name = ?1");
                query.bind(1, name);
                if (query.step() && !query.isNull(0) && query.columnInt64(0) >= step)
                    return true;
            }
        } catch (const std::exception &) {
            // not created yet, or its schema is being written
        }
        QTest::qWait(50); // the window's job manager needs its events meanwhile
    }
    return false;
}

} // namespace slim::testing::faults
