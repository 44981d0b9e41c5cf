#pragma once
// What the slimctl end-to-end tests share: running a program (slimctl, the Python reference)
// with a private data folder and two threads, and writing a spec as JSON.

#include <nlohmann/json.hpp>
#include <QProcess>
#include <QString>
#include <QStringList>

#include <fstream>

namespace slim::test {

struct ProcessResult
{
    int code = -1;
    QString out, err;
};

// The environment with XDG_DATA_HOME=home (the workbench's data folder) and two threads.
inline QProcessEnvironment testEnvironment(const QString &home)
{
    auto env = QProcessEnvironment::systemEnvironment();
    env.insert("XDG_DATA_HOME", home);
    env.insert("OMP_NUM_THREADS", "2");
    return env;
}

// Runs `program` in testEnvironment(home); killed after `timeoutMs`.
inline ProcessResult runProcess(const QString &program, const QStringList &args,
                                const QString &home, int timeoutMs = 900000)
{
    QProcess p;
    p.setProcessEnvironment(testEnvironment(home));
    p.start(program, args);
    if (!p.waitForFinished(timeoutMs))
        p.kill();
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

// Writes `json` to `path` (indented) and returns the path.
inline QString writeJsonFile(const QString &path, const nlohmann::json &json)
{
    std::ofstream(path.toStdString()) << json.dump(2);
    return path;
}

} // namespace slim::test
