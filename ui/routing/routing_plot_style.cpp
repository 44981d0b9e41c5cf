#include "routing_plot_style.h"

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
    static const std::array<QColor, 10> tableau
        = {QColor(0x4e, 0x79, 0xa7), QColor(0xf2, 0x8e, 0x2b), QColor(0xe1, 0x57, 0x59),
           QColor(0x76, 0xb7, 0xb2), QColor(0x59, 0xa1, 0x4f), QColor(0xed, 0xc9, 0x48),
           QColor(0xb0, 0x7a, 0xa1), QColor(0xff, 0x9d, 0xa7), QColor(0x9c, 0x75, 0x5f),
           QColor(0xba, 0xb0, 0xac)};
    if (count <= int(tableau.size()))
        return tableau[std::size_t(index) % tableau.size()];
    // Stop short of viridis' pale yellow end, which vanishes on white.
    const double t = 0.9 * double(index) / double(std::max(count - 1, 1));
    return QColor(viridisGradient().color(t, QCPRange(0, 1)));
}

QColor probeColour(const std::string &probe)
{
    if (probe == "train")
        return QColor(0x6b, 0x6b, 0x6b);
    if (probe == "general")
        return QColor(0x4e, 0x79, 0xa7);
    if (probe == "downstream")
        return QColor(0xf2, 0x8e, 0x2b);
    return QColor(0xb0, 0x7a, 0xa1);
}

QColor identityColour()
{
    return QColor(0xc2, 0x3b, 0x22);
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
        axis->grid()->setPen(QPen(QColor(0xe3, 0xe3, 0xe3), 1));
        axis->grid()->setSubGridVisible(false);
        axis->setBasePen(QPen(QColor(0x70, 0x70, 0x70)));
        axis->setTickPen(QPen(QColor(0x70, 0x70, 0x70)));
        axis->setSubTickPen(QPen(QColor(0x90, 0x90, 0x90)));
    }
    plot->legend->setFont(tickFont);
    plot->legend->setBrush(QColor(255, 255, 255, 220));
    plot->legend->setBorderPen(QPen(QColor(0xc8, 0xc8, 0xc8)));
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
