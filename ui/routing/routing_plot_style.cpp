#include "routing_plot_style.h"

#include "common/palette.h"

#include <QLabel>
#include <QStackedWidget>
#include <QVBoxLayout>

#include <array>

namespace slim::ui {

QCPColorGradient viridisGradient()
{
    QCPColorGradient gradient;
    gradient.clearColorStops();
    static const std::array<QColor, 9> stops
        = {QColor(0x44, 0x01, 0x54), QColor(0x47, 0x2d, 0x7b), QColor(0x3b, 0x52, 0x8b),
           QColor(0x2c, 0x72, 0x8e), QColor(0x21, 0x91, 0x8c), QColor(0x28, 0xae, 0x80),
           QColor(0x5e, 0xc9, 0x62), QColor(0xad, 0xdc, 0x30), QColor(0xfd, 0xe7, 0x25)};
    for (std::size_t i = 0; i < stops.size(); ++i)
        gradient.setColorStopAt(double(i) / double(stops.size() - 1), stops[i]);
    gradient.setColorInterpolation(QCPColorGradient::ciRGB);
    gradient.setNanHandling(QCPColorGradient::nhTransparent);
    return gradient;
}

QColor seriesColour(int index, int count)
{
    if (count <= palette::kSeriesCount)
        return palette::series(index);
    // Stop short of viridis' pale yellow end, which vanishes on white.
    const double t = 0.9 * double(index) / double(std::max(count - 1, 1));
    return QColor(viridisGradient().color(t, QCPRange(0, 1)));
}

QColor probeColour(const std::string &probe)
{
    if (probe == "train")
        return palette::reference();
    if (probe == "general")
        return palette::series(0);
    if (probe == "downstream")
        return palette::series(1);
    return palette::series(6);
}

QColor identityColour()
{
    return palette::identity();
}

void stylePlot(QCustomPlot *plot)
{
    plot->setAntialiasedElements(QCP::aeAll);
    plot->setNoAntialiasingOnDrag(true);
    plot->setInteractions({});
    plot->setMinimumSize(260, 180);
    QFont labelFont = plot->font();
    QFont tickFont = plot->font();
    // Whole point sizes: fractional ones measure and draw a pixel apart, clipping legend text.
    tickFont.setPointSize(std::max(7, qRound(tickFont.pointSizeF() * 0.9)));
    for (QCPAxis *axis : plot->axisRect()->axes()) {
        axis->setLabelFont(labelFont);
        axis->setTickLabelFont(tickFont);
        axis->grid()->setPen(QPen(palette::grid(), 1));
        axis->grid()->setSubGridVisible(false);
        axis->setBasePen(QPen(palette::axis()));
        axis->setTickPen(QPen(palette::axis()));
        axis->setSubTickPen(QPen(palette::subTick()));
    }
    plot->legend->setFont(tickFont);
    plot->legend->setBrush(palette::legendFill());
    plot->legend->setBorderPen(QPen(palette::legendBorder()));
    plot->legend->setIconSize(18, 10);
    // Legend items clip to a box exactly one text line high, which cuts descenders with some
    // fonts: pad every item, including those of plottables added later.
    QObject::connect(plot, &QCustomPlot::beforeReplot, plot, [plot] {
        for (int i = 0; i < plot->legend->itemCount(); ++i)
            plot->legend->item(i)->setMargins(QMargins(0, 1, 0, 3));
    });
}

QCPTextElement *addPlotTitle(QCustomPlot *plot, const QString &text)
{
    QFont font = plot->font();
    font.setBold(true);
    plot->plotLayout()->insertRow(0);
    auto *title = new QCPTextElement(plot, text, font);
    title->setMargins(QMargins(6, 6, 6, 0));
    plot->plotLayout()->addElement(0, 0, title);
    return title;
}

void placeLegendBelow(QCustomPlot *plot, int columns)
{
    // [spacer | legend | spacer]: the legend keeps its natural width, centred under the plot.
    QCPLayoutGrid *layout = plot->plotLayout();
    const int row = layout->rowCount();
    auto *strip = new QCPLayoutGrid;
    layout->addElement(row, 0, strip);
    layout->setRowStretchFactor(row, 0.001);
    strip->addElement(0, 0, new QCPLayoutElement(plot));
    strip->addElement(0, 1, plot->legend); // takes it out of the axis rect's inset layout
    strip->addElement(0, 2, new QCPLayoutElement(plot));
    strip->setColumnStretchFactors({1.0, 0.001, 1.0});
    plot->legend->setFillOrder(QCPLegend::foColumnsFirst);
    plot->legend->setWrap(columns);
    plot->legend->setBorderPen(Qt::NoPen);
    plot->legend->setBrush(Qt::NoBrush);
    plot->legend->setMargins(QMargins(4, 2, 4, 6));
    plot->legend->setColumnSpacing(14);
    plot->legend->setVisible(true);
}

QCPRange stepAxisRange(double first, double last)
{
    if (first >= last)
        return QCPRange(first - 1, last + 1);
    const double pad = 0.02 * (last - first);
    return QCPRange(first - pad, last + pad);
}

void stackWithEmptyState(QWidget *owner, QStackedWidget *stack, QLabel *empty, QWidget *content)
{
    empty->setObjectName(QStringLiteral("emptyState"));
    empty->setAlignment(Qt::AlignCenter);
    empty->setWordWrap(true);
    empty->setStyleSheet(QStringLiteral("color: palette(mid); font-size: 12pt;"));
    stack->addWidget(empty);
    stack->addWidget(content);
    auto *outer = new QVBoxLayout(owner);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->addWidget(stack);
}

} // namespace slim::ui
