#include "table_export.h"

#include <QAbstractItemView>
#include <QAction>
#include <QFile>
#include <QFileDialog>
#include <QMessageBox>
#include <QTextStream>

namespace slim::ui {

namespace {

QString csvField(const QString &text)
{
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"'))
        && !text.contains(QLatin1Char('\n')))
        return text;
    QString quoted = text;
    quoted.replace(QLatin1String("\""), QLatin1String("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

QString cellText(const QAbstractItemModel *model, int row, int column)
{
    const auto index = model->index(row, column);
    const auto edit = model->data(index, Qt::EditRole);
    const auto typeId = edit.metaType().id();
    if (typeId == QMetaType::Double || typeId == QMetaType::Float)
        return QString::number(edit.toDouble(), 'g', 10);
    if (typeId == QMetaType::Int || typeId == QMetaType::LongLong)
        return QString::number(edit.toLongLong());
    return model->data(index, Qt::DisplayRole).toString();
}

} // namespace

bool exportCsv(const QAbstractItemModel *model, const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text)) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(path, file.errorString());
        return false;
    }
    QTextStream out(&file);
    QStringList fields;
    for (int c = 0; c < model->columnCount(); ++c)
        fields << csvField(model->headerData(c, Qt::Horizontal).toString());
    out << fields.join(QLatin1Char(',')) << '\n';
    for (int r = 0; r < model->rowCount(); ++r) {
        fields.clear();
        for (int c = 0; c < model->columnCount(); ++c)
            fields << csvField(cellText(model, r, c));
        out << fields.join(QLatin1Char(',')) << '\n';
    }
    out.flush();
    if (file.error() != QFile::NoError) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

void installCsvExport(QAbstractItemView *view, const QString &baseName)
{
    view->setContextMenuPolicy(Qt::ActionsContextMenu);
    auto *action = new QAction(QStringLiteral("Export CSV…"), view);
    view->addAction(action);
    QObject::connect(action, &QAction::triggered, view, [view, baseName] {
        const auto path = QFileDialog::getSaveFileName(view, QStringLiteral("Export table"),
                                                       baseName + QStringLiteral(".csv"),
                                                       QStringLiteral("CSV (*.csv)"));
        QString error;
        if (!path.isEmpty() && !exportCsv(view->model(), path, &error))
            QMessageBox::warning(view, QStringLiteral("Export failed"), error);
    });
}

} // namespace slim::ui
