#include "slurm_cluster.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSysInfo>
#include <QStandardPaths>
#include <QThread>

#include <unistd.h>

namespace slim::test {

namespace {

// Runs a short command; "" or its complaint.
QString run(const QString &program, const QStringList &args, QString *out = nullptr)
{
    QProcess p;
    p.start(program, args);
    if (!p.waitForFinished(30000)) {
        p.kill();
        return program + " did not finish";
    }
    if (out)
        *out = QString::fromUtf8(p.readAllStandardOutput());
    if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
        return program + " " + args.join(' ') + " failed: "
               + QString::fromUtf8(p.readAllStandardError());
    return {};
}

QString tail(const QString &file)
{
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    const auto text = QString::fromUtf8(f.readAll());
    return "--- " + file + "\n" + text.right(3000) + "\n";
}

} // namespace

SlurmCluster::~SlurmCluster()
{
    stop();
}

QString SlurmCluster::start(const QString &dir)
{
    for (const char *program : {"munged", "mungekey", "slurmctld", "slurmd", "sbatch", "sinfo"})
        if (QStandardPaths::findExecutable(program).isEmpty()
            && QStandardPaths::findExecutable(program, {"/usr/sbin", "/sbin"}).isEmpty())
            return QString("%1 is not installed (Debian's slurm-wlm and munge: "
                           "packaging/install-deps.sh installs them)")
                .arg(program);
    m_dir = dir;
    for (const char *sub : {"munge", "state", "spool", "log"})
        QDir(dir).mkpath(sub);
    QFile::setPermissions(dir + "/munge", QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner
                                              | QFile::ExeGroup | QFile::ExeOther);
    const auto socket = dir + "/munge/munge.socket";
    if (auto error = run("/usr/sbin/mungekey", {"--create", "--force", "--keyfile=" + dir + "/munge/munge.key"});
        !error.isEmpty())
        return error;
    if (auto error = run("/usr/sbin/munged",
                         {"--force", "--socket=" + socket, "--key-file=" + dir + "/munge/munge.key",
                          "--pid-file=" + dir + "/munge/munged.pid",
                          "--log-file=" + dir + "/log/munged.log",
                          "--seed-file=" + dir + "/munge/seed"});
        !error.isEmpty())
        return error;
    m_mungeStarted = true;

    // Ports of this process's own, so two test runs on one machine do not meet.
    const int port = 20000 + int(getpid() % 20000) * 2;
    // slurmd finds its node by the short host name (`hostname -s`).
    const auto host = QSysInfo::machineHostName().section(QLatin1Char('.'), 0, 0);
    QFile conf(dir + "/slurm.conf");
    if (!conf.open(QIODevice::WriteOnly))
        return "cannot write " + conf.fileName();
    conf.write(QString("ClusterName=slimtest\n"
                       "SlurmctldHost=%1(127.0.0.1)\n"
                       "SlurmctldPort=%2\nSlurmdPort=%3\n"
                       "AuthType=auth/munge\nCredType=cred/munge\nAuthInfo=socket=%4\n"
                       "SlurmUser=%5\nSlurmdUser=root\n"
                       "StateSaveLocation=%6/state\nSlurmdSpoolDir=%6/spool\n"
                       "SlurmctldPidFile=%6/slurmctld.pid\nSlurmdPidFile=%6/slurmd.pid\n"
                       "SlurmctldLogFile=%6/log/slurmctld.log\nSlurmdLogFile=%6/log/slurmd.log\n"
                       "ProctrackType=proctrack/linuxproc\nTaskPlugin=task/none\n"
                       "JobAcctGatherType=jobacct_gather/none\n"
                       "AccountingStorageType=accounting_storage/none\nJobCompType=jobcomp/none\n"
                       "SchedulerType=sched/backfill\nSelectType=select/cons_tres\n"
                       "SelectTypeParameters=CR_Core\nMpiDefault=none\nReturnToService=2\n"
                       "MinJobAge=3600\nKillWait=10\n"
                       "NodeName=%1 NodeAddr=127.0.0.1 CPUs=2 RealMemory=4000 State=UNKNOWN\n"
                       "PartitionName=debug Nodes=%1 Default=YES MaxTime=INFINITE State=UP\n")
                   .arg(host)
                   .arg(port)
                   .arg(port + 1)
                   .arg(socket)
                   .arg(QString::fromLocal8Bit(qgetenv("USER").isEmpty() ? "root" : qgetenv("USER")))
                   .arg(dir)
                   .toUtf8());
    conf.close();
    qputenv("SLURM_CONF", conf.fileName().toUtf8());

    for (const auto &[program, args] :
         std::vector<std::pair<QString, QStringList>> {{"/usr/sbin/slurmctld", {"-D", "-i"}},
                                                       {"/usr/sbin/slurmd", {"-D"}}}) {
        auto daemon = std::make_unique<QProcess>();
        daemon->setProcessChannelMode(QProcess::MergedChannels);
        daemon->setStandardOutputFile(dir + "/log/" + QFileInfo(program).fileName() + ".out");
        daemon->start(program, args);
        if (!daemon->waitForStarted(10000))
            return program + " did not start: " + daemon->errorString();
        m_daemons.push_back(std::move(daemon));
        QThread::msleep(1000);
    }
    for (int attempt = 0; attempt < 60; ++attempt) {
        QString state;
        if (run("sinfo", {"--noheader", "--format=%T"}, &state).isEmpty()
            && state.trimmed() == "idle")
            return {};
        QThread::msleep(500);
    }
    return "the Slurm node did not become idle within 30 s\n" + logs();
}

void SlurmCluster::stop()
{
    if (!m_daemons.empty())
        run("scancel", {"--full", "--user=" + QString::fromLocal8Bit(qgetenv("USER").isEmpty() ? "root" : qgetenv("USER"))});
    for (auto it = m_daemons.rbegin(); it != m_daemons.rend(); ++it) {
        (*it)->terminate();
        if (!(*it)->waitForFinished(10000))
            (*it)->kill();
        (*it)->waitForFinished(5000);
    }
    m_daemons.clear();
    if (m_mungeStarted)
        run("/usr/sbin/munged", {"--stop", "--socket=" + m_dir + "/munge/munge.socket"});
    m_mungeStarted = false;
}

QString SlurmCluster::logs() const
{
    return tail(m_dir + "/log/slurmctld.log") + tail(m_dir + "/log/slurmd.log")
           + tail(m_dir + "/log/munged.log");
}

} // namespace slim::test
