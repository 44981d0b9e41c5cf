#include "error_box.h"

#include <QMessageBox>

namespace slim::ui {

void showError(QWidget *parent, const QString &title, const QString &message,
               const QString &detail)
{
    // Window-modal and non-blocking: no nested event loop under the job timers.
    auto *box = new QMessageBox(QMessageBox::Warning, title, message, QMessageBox::Ok, parent);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setObjectName(QStringLiteral("errorBox"));
    if (!detail.isEmpty())
        box->setDetailedText(detail);
    box->open();
}

} // namespace slim::ui
