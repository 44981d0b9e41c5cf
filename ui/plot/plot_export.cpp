#include "plot_export.h"

#include "qcustomplot_include.h"

#include <QFileDialog>
#include <QMenu>
#include <QMessageBox>
#include <QSvgGenerator>

namespace slim::ui {

bool exportPlot(QCustomPlot *plot, const QString &path, QString *error)
{
    const int w = std::max(plot->width(), 320);
    const int h = std::max(plot->height(), 240);
    bool ok = false;
    if (path.endsWith(QLatin1String(".svg"), Qt::CaseInsensitive)) {
        QSvgGenerator svg;
        svg.setFileName(path);
        svg.setSize(QSize(w, h));
        svg.setViewBox(QRect(0, 0, w, h));
        svg.setTitle(plot->objectName());
        QCPPainter painter;
        ok = painter.begin(&svg);
        if (ok) {
            plot->toPainter(&painter, w, h);
            ok = painter.end();
        }
    } else if (path.endsWith(QLatin1String(".png"), Qt::CaseInsensitive)) {
        ok = plot->savePng(path, w, h, 2.0);
    } else {
        if (error)
            *error = QStringLiteral("%1: choose a .png or .svg file name").arg(path);
        return false;
    }
    if (!ok && error)
        *error = QStringLiteral("%1 could not be written").arg(path);
    return ok;
}

void installPlotExport(QCustomPlot *plot, const QString &baseName)
{
    plot->setContextMenuPolicy(Qt::CustomContextMenu);
    QObject::connect(plot, &QWidget::customContextMenuRequested, plot, [plot, baseName](QPoint at) {
        QMenu menu(plot);
        for (const auto &format : {QStringLiteral("png"), QStringLiteral("svg")}) {
            menu.addAction(QStringLiteral("Export %1…").arg(format.toUpper()), plot, [=] {
                const auto path = QFileDialog::getSaveFileName(
                    plot, QStringLiteral("Export plot"), baseName + QLatin1Char('.') + format,
                    QStringLiteral("%1 (*.%2)").arg(format.toUpper(), format));
                QString error;
                if (!path.isEmpty() && !exportPlot(plot, path, &error))
                    QMessageBox::warning(plot, QStringLiteral("Export failed"), error);
            });
        }
        menu.exec(plot->mapToGlobal(at));
    });
}

} // namespace slim::ui
