#pragma once
// Every table exports CSV: the function, and a context-menu entry on a view.

#include <QString>

class QAbstractItemModel;
class QAbstractItemView;

namespace slim::ui {

// Writes the model's header and every row (DisplayRole; EditRole when it is a number) as
// RFC 4180 CSV. Returns false with a readable `error`.
bool exportCsv(const QAbstractItemModel *model, const QString &path, QString *error = nullptr);

// Adds "Export CSV…" to the view's context menu, after any actions it already has.
void installCsvExport(QAbstractItemView *view, const QString &baseName);

} // namespace slim::ui
