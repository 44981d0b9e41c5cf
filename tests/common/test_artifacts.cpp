#include "test_artifacts.h"

#include <QDir>
#include <QTemporaryDir>
#include <QtGlobal>

namespace slim::testing {

QString artifactPath(const QTemporaryDir &dir, const QString &fileName)
{
    QString folder = qEnvironmentVariable("SLIM_TEST_ARTIFACTS_DIR");
    if (folder.isEmpty() || !QDir().mkpath(folder))
        folder = dir.path();
    const auto path = QDir(folder).filePath(fileName);
    qInfo("picture: %s", qPrintable(QDir::toNativeSeparators(path)));
    return path;
}

} // namespace slim::testing
