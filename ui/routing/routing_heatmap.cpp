#include "routing_heatmap.h"

#include "common/palette.h"

#include "plot/plot_setup.h"
#include "routing_plot_style.h"

#include <QToolTip>

#include <cmath>
#include <limits>

namespace slim::ui {

namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

// "E3" for the fourth LoRA expert, "I0" for the first identity expert: numbered within their
// kind, as the paper names them.
QString expertName(const services::RoutingIndex::Site &site, std::size_t column)
{
    int sameKind = 0;
    for (std::size_t e = 0; e < column; ++e)
        sameKind += site.identity[e] == site.identity[column] ? 1 : 0;
    return QStringLiteral("%1%2")
        .arg(site.identity[column] ? QLatin1Char('I') : QLatin1Char('E'))
        .arg(sameKind);
}

QString colourName(RoutingHeatmap::Colour colour)
{
    return colour == RoutingHeatmap::Colour::MeanWeight ? QStringLiteral("Mean routing weight")
                                                        : QStringLiteral("Selection share");
}

} // namespace

RoutingHeatmap::RoutingHeatmap(QWidget *parent)
    : QCustomPlot(parent)
{
    setObjectName(QStringLiteral("routingHeatmap"));
    stylePlot(this);
    setMinimumSize(360, 260);
    m_title = addPlotTitle(this, QStringLiteral("Routing"));

    m_map = new QCPColorMap(xAxis, yAxis);
    m_map->setInterpolate(false);
    m_map->setTightBoundary(false);
    m_scale = new QCPColorScale(this);
    m_scale->setType(QCPAxis::atRight);
    m_scale->setBarWidth(12);
    m_scale->axis()->setLabelFont(xAxis->labelFont());
    m_scale->axis()->setTickLabelFont(xAxis->tickLabelFont());
    m_scale->axis()->setNumberPrecision(2);
    plotLayout()->addElement(1, 1, m_scale);
    m_map->setColorScale(m_scale); // the map now takes its gradient from the scale
    m_scale->setGradient(viridisGradient());
    auto *margins = new QCPMarginGroup(this);
    axisRect()->setMarginGroup(QCP::msTop | QCP::msBottom, margins);
    m_scale->setMarginGroup(QCP::msTop | QCP::msBottom, margins);

    // Unrecorded cells are transparent: this grey shows through them.
    axisRect()->setBackground(QBrush(palette::noData()));
    xAxis->setLabel(QStringLiteral("Expert"));
    yAxis->setLabel(QStringLiteral("Layer"));
    for (QCPAxis *axis : {xAxis, yAxis}) {
        axis->setTicker(QSharedPointer<QCPAxisTickerText>::create());
        axis->setSubTicks(false);
        axis->setTickLength(0, 4);
        axis->grid()->setVisible(false);
    }

    preparePlot(this, QStringLiteral("routing_heatmap"));
    setMouseTracking(true);
    connect(this, &QCustomPlot::mouseMove, this, &RoutingHeatmap::showToolTip);
}

void RoutingHeatmap::setSite(const services::RoutingIndex::Site *site, Colour colour,
                             const QString &caption)
{
    m_site = site;
    m_colour = colour;
    m_caption = caption;
    clearMarks();
    const int experts = site ? int(site->experts.size()) : 0;
    const int layers = site ? int(site->layers.size()) : 0;

    // QCPColorMap derives a cell's width from the distance between cell centres, so a single
    // column or row is stored twice, a quarter cell either side of its centre.
    auto *data = m_map->data();
    data->setSize(std::max(experts, 2), std::max(layers, 2));
    data->setRange(experts > 1 ? QCPRange(0, experts - 1) : QCPRange(-0.25, 0.25),
                   layers > 1 ? QCPRange(0, layers - 1) : QCPRange(-0.25, 0.25));
    data->fill(kNan);
    xAxis->setRange(-0.5, std::max(experts, 1) - 0.5);
    yAxis->setRange(-0.5, std::max(layers, 1) - 0.5);

    auto xTicks = qSharedPointerCast<QCPAxisTickerText>(xAxis->ticker());
    auto yTicks = qSharedPointerCast<QCPAxisTickerText>(yAxis->ticker());
    xTicks->clear();
    yTicks->clear();
    for (int e = 0; e < experts; ++e) // identity labels are coloured items (addMarks)
        xTicks->addTick(
            e, site->identity[std::size_t(e)] ? QString() : expertName(*site, std::size_t(e)));
    const int stride = std::max(1, (layers + 15) / 16); // at most ~16 layer labels
    for (int l = 0; l < layers; l += stride)
        yTicks->addTick(l, QString::number(site->layers[std::size_t(l)]));

    double max = 0;
    if (site)
        max = colour == Colour::MeanWeight ? site->maxMeanWeight : site->maxSelectionShare;
    m_map->setDataRange(QCPRange(0, max > 0 ? max : 1));
    m_scale->axis()->setLabel(colourName(colour));
    addMarks();
}

void RoutingHeatmap::showStep(std::int64_t step)
{
    m_step = step;
    auto *data = m_map->data();
    const std::vector<double> *values = nullptr;
    std::size_t experts = 0, layers = 0;
    if (m_site) {
        experts = m_site->experts.size();
        layers = m_site->layers.size();
        const auto it = m_site->steps.find(step);
        if (it != m_site->steps.end())
            values = m_colour == Colour::MeanWeight ? &it->second.meanWeight
                                                    : &it->second.selectionShare;
    }
    const int repeatX = experts == 1 ? 2 : 1, repeatY = layers == 1 ? 2 : 1;
    for (std::size_t l = 0; l < layers; ++l) {
        for (std::size_t e = 0; e < experts; ++e) {
            const double v = values ? (*values)[l * experts + e] : kNan;
            for (int dx = 0; dx < repeatX; ++dx)
                for (int dy = 0; dy < repeatY; ++dy)
                    data->setCell(int(e) + dx, int(l) + dy, v);
        }
    }
    m_title->setText(m_site ? QStringLiteral("%1 per layer and expert · %2 · step %3")
                                  .arg(colourName(m_colour), m_caption)
                                  .arg(step)
                            : QStringLiteral("Routing"));
    requestReplot(this);
}

void RoutingHeatmap::clearMarks()
{
    for (QCPAbstractItem *item : m_marks)
        removeItem(item);
    m_marks.clear();
    m_identityLabels.clear();
    axisRect()->setMinimumMargins(QMargins(0, 0, 0, 0));
}

void RoutingHeatmap::addMarks()
{
    if (!m_site)
        return;
    const auto &identity = m_site->identity;
    const int experts = int(identity.size());
    QFont bold = xAxis->tickLabelFont();
    bold.setBold(true);

    auto place = [this](QCPItemText *text, double x, double yRatio, Qt::Alignment vertical) {
        text->setClipToAxisRect(false);
        text->position->setAxes(xAxis, yAxis);
        text->position->setAxisRect(axisRect());
        text->position->setTypeX(QCPItemPosition::ptPlotCoords);
        text->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
        text->position->setCoords(x, yRatio);
        text->setPositionAlignment(vertical | Qt::AlignHCenter);
        m_marks.push_back(text);
    };
    for (int e = 0; e < experts; ++e) {
        if (!identity[std::size_t(e)])
            continue;
        // Sits where the axis would draw the tick label, which is left empty for it.
        auto *label = new QCPItemText(this);
        label->setText(expertName(*m_site, std::size_t(e)));
        label->setFont(bold);
        label->setColor(identityColour());
        label->setPadding(QMargins(0, xAxis->tickLengthOut() + xAxis->tickLabelPadding(), 0, 0));
        place(label, e, 1.0, Qt::AlignTop);
        m_identityLabels.push_back(label);
    }
    // Thin borders between cells, so neighbouring cells of similar colour stay apart.
    const int layers = int(m_site->layers.size());
    auto border = [this](double x1, double y1, double x2, double y2) {
        auto *line = new QCPItemLine(this);
        line->start->setCoords(x1, y1);
        line->end->setCoords(x2, y2);
        line->setPen(QPen(QColor(255, 255, 255, 110), 1));
        m_marks.push_back(line);
    };
    if (experts <= 64 && layers <= 128) {
        for (int e = 1; e < experts; ++e)
            border(e - 0.5, -0.5, e - 0.5, layers - 0.5);
        for (int l = 1; l < layers; ++l)
            border(-0.5, l - 0.5, experts - 0.5, l - 0.5);
    }
    for (int e = 1; e < experts; ++e) {
        if (identity[std::size_t(e)] == identity[std::size_t(e - 1)])
            continue;
        auto *line = new QCPItemStraightLine(this);
        line->point1->setCoords(e - 0.5, 0);
        line->point2->setCoords(e - 0.5, 1);
        line->setPen(QPen(Qt::white, 2, Qt::DashLine));
        m_marks.push_back(line);
    }
    const int identityCount = int(m_identityLabels.size());
    if (identityCount == 0 || identityCount == experts)
        return;
    // Captions over the two groups (LoRA experts first, identity experts last in every method).
    auto caption = [&](const QString &text, bool ofIdentity) {
        int first = -1, last = -1;
        for (int e = 0; e < experts; ++e) {
            if (identity[std::size_t(e)] == ofIdentity) {
                first = first < 0 ? e : first;
                last = e;
            }
        }
        auto *item = new QCPItemText(this);
        item->setText(text);
        item->setFont(xAxis->tickLabelFont());
        item->setColor(ofIdentity ? identityColour() : palette::mutedText());
        item->setPadding(QMargins(0, 0, 0, 3));
        place(item, 0.5 * (first + last), 0.0, Qt::AlignBottom);
    };
    caption(QStringLiteral("LoRA experts"), false);
    caption(QStringLiteral("Identity"), true);
    axisRect()->setMinimumMargins(
        QMargins(0, QFontMetrics(xAxis->tickLabelFont()).height() + 6, 0, 0));
}

void RoutingHeatmap::showToolTip(QMouseEvent *event)
{
    const QPointF at = event->position();
    if (!m_site || !axisRect()->rect().contains(at.toPoint())) {
        QToolTip::hideText();
        return;
    }
    const long e = std::lround(xAxis->pixelToCoord(at.x()));
    const long l = std::lround(yAxis->pixelToCoord(at.y()));
    const auto experts = long(m_site->experts.size()), layers = long(m_site->layers.size());
    const auto it = m_site->steps.find(m_step);
    if (e < 0 || l < 0 || e >= experts || l >= layers || it == m_site->steps.end()) {
        QToolTip::hideText();
        return;
    }
    const std::size_t cell = std::size_t(l * experts + e);
    auto number = [](double v) {
        return std::isnan(v) ? QStringLiteral("not recorded") : QString::number(v, 'f', 4);
    };
    QToolTip::showText(
        event->globalPosition().toPoint(),
        QStringLiteral("Layer %1 · expert %2%3\nMean routing weight: %4\n"
                       "Selection share: %5")
            .arg(m_site->layers[std::size_t(l)])
            .arg(expertName(*m_site, std::size_t(e)),
                 m_site->identity[std::size_t(e)] ? QStringLiteral(" (identity)") : QString(),
                 number(it->second.meanWeight[cell]), number(it->second.selectionShare[cell])),
        this);
}

} // namespace slim::ui
