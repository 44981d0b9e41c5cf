#pragma once
// Pictures that tests keep for people to look at (grabs of a view), never in a shared folder
// with a fixed name: several test binaries run at once under `ctest -j`, and several checkouts
// share /tmp.

#include <QString>

class QTemporaryDir;

namespace slim::testing {

// Where to save `fileName`: in the folder SLIM_TEST_ARTIFACTS_DIR names when it is set (created
// when missing; to keep the pictures after the run), else in the test's own temporary folder
// `dir` (removed with it). Prints the path, so the test log says where each picture went.
QString artifactPath(const QTemporaryDir &dir, const QString &fileName);

} // namespace slim::testing
