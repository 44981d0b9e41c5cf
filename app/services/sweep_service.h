#pragma once
// Sweeps for the window's Sweep form: validation and expansion of a sweep document
// (sweeps/sweep_spec.h), as Qt types. Thread-safe; cheap enough for keystrokes on sweeps of a
// few hundred runs.

#include "spec_service.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace slim::services {

struct SweepPreview
{
    QString uuid;           // the sweep's stable id ("" when invalid)
    QStringList runNames;   // in the sweep's order (empty when invalid)
    QList<SpecIssue> issues; // every problem, each naming its field or the runs it concerns
    bool valid() const { return issues.isEmpty(); }
};

// `sweep` is {"name", "base", "axes"}; a base given as a file name is read from `folder`.
SweepPreview previewSweep(const QJsonObject &sweep, const QString &folder = {});

} // namespace slim::services
