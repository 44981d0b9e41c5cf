#pragma once
// A real one-node Slurm cluster for tests: munged, slurmctld and slurmd (Debian's munge and
// slurm-wlm) on this machine with a generated configuration in a folder of the test's, no
// cgroups and no accounting. start() sets SLURM_CONF in this process's environment, so sbatch,
// squeue and every child (slimctl) talk to it; the destructor stops the daemons.

#include <QProcess>
#include <QString>

#include <memory>
#include <vector>

namespace slim::test {

class SlurmCluster
{
public:
    SlurmCluster() = default;
    ~SlurmCluster();
    SlurmCluster(const SlurmCluster &) = delete;
    SlurmCluster &operator=(const SlurmCluster &) = delete;

    // Starts the daemons with their files in `dir` and waits for the node to be idle. Returns ""
    // or what went wrong (with the daemons' logs).
    QString start(const QString &dir);
    void stop();
    // The tail of the daemons' logs, for failure messages.
    QString logs() const;

private:
    QString m_dir;
    std::vector<std::unique_ptr<QProcess>> m_daemons;
    bool m_mungeStarted = false;
};

} // namespace slim::test
