#include "plot_setup.h"

#include "plot_export.h"
#include "qcustomplot_include.h"

namespace slim::ui {

void preparePlot(QCustomPlot *plot, const QString &exportName)
{
    plot->setPlottingHint(QCP::phFastPolylines, true);
    installPlotExport(plot, exportName);
}

} // namespace slim::ui
