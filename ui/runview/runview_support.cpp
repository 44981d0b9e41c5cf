#include "runview/runview_support.h"

#include "common/palette.h"

#include "plot/qcustomplot_include.h"

#include <algorithm>
#include <cmath>

namespace slim::ui::runplot {

void stylePlot(QCustomPlot *plot, const QString &title, const QString &xLabel,
               const QString &yLabel)
{
    QFont tickFont = plot->font();
    tickFont.setPointSizeF(std::max(7.0, tickFont.pointSizeF() - 1));
    QFont titleFont = plot->font();
    titleFont.setBold(true);

    if (!title.isEmpty()) {
        plot->plotLayout()->insertRow(0);
        auto *titleElement = new QCPTextElement(plot, title, titleFont);
        titleElement->setMargins(QMargins(0, 4, 0, 0));
        plot->plotLayout()->addElement(0, 0, titleElement);
    }

    for (QCPAxis *axis : {plot->xAxis, plot->yAxis, plot->yAxis2}) {
        axis->setTickLabelFont(tickFont);
        axis->setLabelFont(plot->font());
        axis->setBasePen(QPen(palette::axis()));
        axis->setTickPen(QPen(palette::axis()));
        axis->setSubTickPen(QPen(palette::subTick()));
        axis->grid()->setPen(QPen(palette::grid(), 0, Qt::SolidLine));
    }
    plot->xAxis->setLabel(xLabel);
    plot->yAxis->setLabel(yLabel);
    plot->xAxis->setRange(0, 1);

    // The legend goes under the axis rect, never over the curves (as in the Routing tab).
    plot->legend->setVisible(true);
    plot->legend->setFont(tickFont);
    plot->legend->setBrush(Qt::NoBrush);
    plot->legend->setBorderPen(Qt::NoPen);
    plot->legend->setRowSpacing(0);
    plot->legend->setColumnSpacing(12);
    plot->legend->setFillOrder(QCPLegend::foColumnsFirst);
    plot->legend->setWrap(3);
    plot->legend->setMargins(QMargins(4, 0, 4, 2));
    plot->axisRect()->insetLayout()->take(plot->legend);
    plot->plotLayout()->simplify();
    plot->plotLayout()->setRowSpacing(0);
    plot->legend->setVisible(false); // placeLegend() adds it once it has entries

    plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plot->axisRect()->setRangeDrag(Qt::Horizontal);
    plot->axisRect()->setRangeZoom(Qt::Horizontal);
    plot->setNoAntialiasingOnDrag(true);
    plot->setMinimumSize(260, 180);
}

void placeLegend(QCustomPlot *plot, bool show)
{
    // An empty legend grid reports a maximum width of its margins, which would squeeze the
    // whole layout column; so it only sits in the layout while it has entries.
    show = show && plot->legend->itemCount() > 0;
    const bool placed = plot->legend->layout() != nullptr;
    if (show && !placed) {
        const int row = plot->plotLayout()->rowCount();
        plot->plotLayout()->addElement(row, 0, plot->legend);
        plot->plotLayout()->setRowStretchFactor(row, 0.001);
    } else if (!show && placed) {
        plot->plotLayout()->take(plot->legend);
        plot->plotLayout()->simplify();
    }
    plot->legend->setVisible(show);
}

QCPItemText *addCentredText(QCustomPlot *plot)
{
    auto *text = new QCPItemText(plot);
    text->setClipToAxisRect(true);
    text->position->setType(QCPItemPosition::ptAxisRectRatio);
    text->position->setAxisRect(plot->axisRect());
    text->position->setCoords(0.5, 0.5);
    text->setPositionAlignment(Qt::AlignCenter);
    text->setTextAlignment(Qt::AlignCenter);
    text->setColor(palette::mutedText());
    text->setVisible(false);
    return text;
}

void fitValueAxes(QCustomPlot *plot)
{
    const QCPRange keys = plot->xAxis->range();
    for (QCPAxis *axis : plot->axisRect()->axes(QCPAxis::atLeft | QCPAxis::atRight)) {
        if (!axis->visible())
            continue;
        const bool log = axis->scaleType() == QCPAxis::stLogarithmic;
        bool any = false;
        QCPRange range;
        for (int i = 0; i < plot->graphCount(); ++i) {
            QCPGraph *graph = plot->graph(i);
            if (graph->valueAxis() != axis || !graph->visible())
                continue;
            bool found = false;
            const QCPRange r
                = graph->getValueRange(found, log ? QCP::sdPositive : QCP::sdBoth, keys);
            if (!found)
                continue;
            if (any)
                range.expand(r);
            else
                range = r;
            any = true;
        }
        if (!any)
            continue;
        if (log) {
            const double factor = range.upper > range.lower ? 1.15 : 2.0;
            axis->setRange(range.lower / factor, range.upper * factor);
        } else {
            double pad = 0.06 * range.size();
            if (pad <= 0)
                pad = std::max(std::abs(range.upper) * 0.1, 1e-9);
            axis->setRange(range.lower - pad, range.upper + pad);
        }
    }
}

void fitLegendColumns(QCustomPlot *plot, int width)
{
    QCPLegend *legend = plot->legend;
    // The legend is a grid: cells past the last entry of a row are empty (null items).
    int count = 0, widest = 1;
    for (int i = 0; i < legend->itemCount(); ++i) {
        if (const auto *item = legend->item(i)) {
            widest = std::max(widest, item->minimumOuterSizeHint().width());
            ++count;
        }
    }
    if (count == 0)
        return;
    const int spacing = legend->columnSpacing();
    const int available = width - legend->margins().left() - legend->margins().right();
    const int columns = std::clamp((available + spacing) / (widest + spacing), 1, count);
    if (legend->wrap() != columns) {
        legend->setWrap(columns);
        legend->setFillOrder(legend->fillOrder(), true); // re-lays the entries out
    }
}

} // namespace slim::ui::runplot
