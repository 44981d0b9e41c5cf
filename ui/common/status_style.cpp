#include "common/status_style.h"

#include <QCoreApplication>
#include <QGuiApplication>
#include <QPalette>

namespace slim::ui {

using store::RunStatus;

namespace {

struct Scheme
{
    QRgb onLight; // text on a light base (>= 4.5:1 on white)
    QRgb onDark; // text on a dark base (>= 4.5:1 on #1e1e1e)
    QRgb fill; // badge background
    QRgb onFill; // badge text
};

// Material Design shades: queued a neutral blue-grey, running blue, succeeded green, failed
// red, cancelled grey, interrupted amber (too light for white text, so its badge text is dark
// and its text colour on light palettes a deeper amber).
Scheme schemeOf(RunStatus status)
{
    switch (status) {
    case RunStatus::Queued:
        return {0x546E7A, 0xB0BEC5, 0x546E7A, 0xFFFFFF};
    case RunStatus::Running:
        return {0x1565C0, 0x64B5F6, 0x1565C0, 0xFFFFFF};
    case RunStatus::Succeeded:
        return {0x2E7D32, 0x81C784, 0x2E7D32, 0xFFFFFF};
    case RunStatus::Failed:
        return {0xC62828, 0xEF5350, 0xC62828, 0xFFFFFF};
    case RunStatus::Cancelled:
        return {0x757575, 0x9E9E9E, 0x757575, 0xFFFFFF};
    case RunStatus::Interrupted:
        return {0xA86400, 0xFFB74D, 0xF2A900, 0x1A1A1A};
    }
    return {0x000000, 0xFFFFFF, 0x757575, 0xFFFFFF};
}

} // namespace

QString statusText(RunStatus status)
{
    const auto tr = [](const char *text) {
        return QCoreApplication::translate("slim::ui::StatusStyle", text);
    };
    switch (status) {
    case RunStatus::Queued:
        return tr("Queued");
    case RunStatus::Running:
        return tr("Running");
    case RunStatus::Succeeded:
        return tr("Succeeded");
    case RunStatus::Failed:
        return tr("Failed");
    case RunStatus::Cancelled:
        return tr("Cancelled");
    case RunStatus::Interrupted:
        return tr("Interrupted");
    }
    return {};
}

QColor statusColour(RunStatus status)
{
    const bool dark = QGuiApplication::palette().color(QPalette::Base).lightness() < 128;
    const auto scheme = schemeOf(status);
    return QColor(dark ? scheme.onDark : scheme.onLight);
}

QColor statusFillColour(RunStatus status)
{
    return QColor(schemeOf(status).fill);
}

QColor statusOnFillColour(RunStatus status)
{
    return QColor(schemeOf(status).onFill);
}

QString statusBadgeStyleSheet(RunStatus status)
{
    return QStringLiteral("QLabel { color: %1; background: %2; border-radius: 3px;"
                          " padding: 1px 8px; font-weight: bold; }")
        .arg(statusOnFillColour(status).name(), statusFillColour(status).name());
}

RunStatus runStatusOf(services::JobState state)
{
    switch (state) {
    case services::JobState::Queued:
        return RunStatus::Queued;
    case services::JobState::Running:
        return RunStatus::Running;
    case services::JobState::Succeeded:
        return RunStatus::Succeeded;
    case services::JobState::Failed:
        return RunStatus::Failed;
    case services::JobState::Cancelled:
        return RunStatus::Cancelled;
    }
    return RunStatus::Queued;
}

} // namespace slim::ui
