#include "sweep_service.h"

#include "sweeps/sweep_spec.h"

#include <QJsonDocument>


namespace slim::services {

SweepPreview previewSweep(const QJsonObject &sweep, const QString &folder)
{
    SweepPreview preview;
    const auto document = nlohmann::json::parse(
        QJsonDocument(sweep).toJson(QJsonDocument::Compact).toStdString());
    const std::filesystem::path dir = folder.toStdString();
    const auto check = sweeps::checkSweep(document, dir);
    for (const auto &e : check.errors)
        preview.issues.push_back({QString::fromStdString(e.path), QString::fromStdString(e.message)});
    if (!preview.issues.isEmpty())
        return preview;
    preview.uuid = QString::fromStdString(check.sweep.uuid);
    for (const auto &run : check.sweep.runs)
        preview.runNames << QString::fromStdString(run.name);
    return preview;
}

} // namespace slim::services
