#include "spec_service.h"

#include "jobs/preflight.h"
#include "jobs/run_exports.h"
#include "jobs/run_jobs.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace slim::services {

namespace {

QJsonObject parseObject(const std::string &text)
{
    return QJsonDocument::fromJson(QByteArray::fromStdString(text)).object();
}

std::string toText(const QJsonObject &spec)
{
    return QJsonDocument(spec).toJson(QJsonDocument::Compact).toStdString();
}

} // namespace

QJsonObject runSpecSchema()
{
    // The schema never changes while the program runs.
    static const QJsonObject schema = parseObject(jobs::runSpecSchemaText());
    return schema;
}

QStringList specPresetNames()
{
    QStringList names;
    for (const auto &name : jobs::presetNames())
        names << QString::fromStdString(name);
    return names;
}

QJsonObject presetSpec(const QString &name)
{
    try {
        return parseObject(jobs::presetSpecText(name.toStdString()));
    } catch (const std::invalid_argument &) {
        return {};
    }
}

QList<SpecIssue> validateSpec(const QJsonObject &spec)
{
    QList<SpecIssue> issues;
    for (const auto &p : jobs::validateSpecText(toText(spec)))
        issues.push_back({QString::fromStdString(p.path), QString::fromStdString(p.message)});
    return issues;
}

QJsonObject normalisedSpec(const QJsonObject &spec)
{
    try {
        return parseObject(jobs::normalisedSpecText(toText(spec)));
    } catch (const std::invalid_argument &) {
        return {};
    }
}

namespace {

Preflight toPreflight(const jobs::Preflight &p)
{
    return {p.ok, p.fits, QString::fromStdString(p.text)};
}

} // namespace

Preflight describeBaseModel(const QString &baseModel)
{
    return toPreflight(jobs::describeBaseModel(baseModel.toStdString(), jobs::WorkbenchPaths::resolve()));
}

Preflight checkRunMemory(const QJsonObject &spec)
{
    return toPreflight(jobs::checkRunMemory(toText(spec), jobs::WorkbenchPaths::resolve()));
}

QString importAdapterSpec(const QString &adapterDir, const QString &baseModelDir, QString *error)
{
    try {
        return QString::fromStdString(
            jobs::importAdapterSpecText(adapterDir.toStdString(), baseModelDir.toStdString()));
    } catch (const std::exception &e) {
        if (error)
            *error = QString::fromStdString(e.what());
        return {};
    }
}

QString localBaseModelOf(const QString &adapterDir)
{
    return QString::fromStdString(jobs::localBaseModelOf(adapterDir.toStdString()));
}

} // namespace slim::services
