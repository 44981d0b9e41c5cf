#include "plot_setup.h"

#include "common/refresh_when_visible.h"
#include "plot_export.h"
#include "qcustomplot_include.h"

namespace slim::ui {

void preparePlot(QCustomPlot *plot, const QString &exportName)
{
    plot->setPlottingHint(QCP::phFastPolylines, true);
    installPlotExport(plot, exportName);
    new RefreshWhenVisible(
        plot, [plot] { plot->replot(QCustomPlot::rpQueuedReplot); }, [plot] { plot->replot(); });
}

void requestReplot(QCustomPlot *plot)
{
    if (auto *replot = plot->findChild<RefreshWhenVisible *>(QString(), Qt::FindDirectChildrenOnly))
        replot->request();
    else
        plot->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace slim::ui
