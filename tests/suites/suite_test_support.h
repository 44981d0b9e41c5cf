#pragma once
// What the suites' tests share: files written into a temporary folder, and the message of the
// exception a call throws.

#include <QString>
#include <QTemporaryDir>

#include <fstream>
#include <functional>
#include <string>

namespace slim::suites::test {

// Writes `text` (bytes as they are) to dir/name and returns the path.
inline std::string writeFile(const QTemporaryDir &dir, const std::string &name,
                             const std::string &text)
{
    const auto path = dir.path().toStdString() + "/" + name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
}

// The message of what `f` throws; empty when it throws nothing.
inline QString errorOf(const std::function<void()> &f)
{
    try {
        f();
    } catch (const std::exception &e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

} // namespace slim::suites::test
