#pragma once
// The run-spec schema, presets and validation for the forms, as Qt JSON (the engine's own
// definitions, through slim_jobs; no torch headers). Thread-safe; cheap enough for keystrokes.

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace slim::services {

struct SpecIssue
{
    QString path;    // "schedule.lr"; "" for the document itself
    QString message; // "-1 is outside [0, 1]"
};

// {"fields": [{"path", "type", "default", "min", "max", "choices", "help", "methods"}...],
//  "method_defaults": {"slim": {...}, ...}, "presets": ["builtin-slim", ...]}.
// "type" is one of "string", "integer", "number", "boolean", "choice", "string list",
// "integer list"; "methods" (when present) lists the methods the field applies to.
QJsonObject runSpecSchema();
QStringList specPresetNames();
QJsonObject presetSpec(const QString &name); // {} for an unknown name
// Every problem of the spec, each naming its field path (unknown fields, fields that do not
// apply to the chosen method, out-of-range values, wrong types).
QList<SpecIssue> validateSpec(const QJsonObject &spec);
// The spec with every default filled in ({} when invalid).
QJsonObject normalisedSpec(const QJsonObject &spec);

// What the form says of a spec before it runs (jobs/preflight.h): `ok` false when `text` is an
// error; `fits` false when the device has less memory than the run's estimate.
struct Preflight
{
    bool ok = false;
    bool fits = true;
    QString text;
};
// The base model a spec names ("builtin" or a folder): architecture, size and stored dtype.
Preflight describeBaseModel(const QString &baseModel);
// The run's peak-memory estimate against the memory its device has now.
Preflight checkRunMemory(const QJsonObject &spec);

// A spec that evaluates an adapter trained elsewhere (init_adapter, schedule.steps 0) on
// `baseModelDir`; "" with `error` set when the adapter does not fit the base.
QString importAdapterSpec(const QString &adapterDir, const QString &baseModelDir, QString *error);
// The base model the adapter folder names, when that folder exists here; "" otherwise.
QString localBaseModelOf(const QString &adapterDir);

} // namespace slim::services
