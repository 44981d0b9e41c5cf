#pragma once
// Errors reach users as a readable message with the technical detail one click away.

#include <QString>

class QWidget;

namespace slim::ui {

// A window-modal warning box (object name "errorBox"), shown without blocking: `message` in
// plain words, `detail` behind "Show Details…" (when not empty).
void showError(QWidget *parent, const QString &title, const QString &message,
               const QString &detail = {});

} // namespace slim::ui
