#include "tradeoff_plot.h"

#include "common/palette.h"
#include "plot/plot_setup.h"
#include "plot/qcustomplot_include.h"
#include "run_scores.h"

#include "scores/seed_groups.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace slim::ui {

namespace {

constexpr double kHitRadius = 9; // pixels around a marker that count as on it
constexpr int kClickSlop = 4; // pixels a press may move and still be a click

QCPScatterStyle markerStyle(const QColor &colour, double size, const QColor &outline)
{
    return QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(outline, 1.2), QBrush(colour), size);
}

} // namespace

TradeoffPlot::TradeoffPlot(QWidget *parent)
    : QWidget(parent)
    , m_plot(new QCustomPlot(this))
    , m_includeCheckpoints(new QCheckBox(QStringLiteral("Include checkpoints in the front"), this))
    , m_note(new QLabel(this))
{
    m_plot->setObjectName(QStringLiteral("tradeoffPlot"));
    m_plot->setMinimumSize(420, 300);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->setMouseTracking(true);
    m_plot->xAxis->setLabel(QStringLiteral("forgetting (points lost on the general suite)"));
    m_plot->yAxis->setLabel(QStringLiteral("downstream score (%)"));
    for (auto *axis : {m_plot->xAxis, m_plot->yAxis})
        axis->grid()->setSubGridVisible(false);
    // The lower right is the worst corner (much forgetting, little gain), so it is usually empty.
    m_plot->legend->setVisible(true);
    m_plot->legend->setBrush(palette::legendFill());
    m_plot->legend->setBorderPen(QPen(palette::legendBorder()));
    m_plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignRight);
    preparePlot(m_plot, QStringLiteral("tradeoff"));

    m_includeCheckpoints->setToolTip(
        QStringLiteral("Compute the Pareto front over every probe evaluation, not only the "
                       "final ones (probe scores come from a smaller item subset)"));
    m_note->setWordWrap(true);
    m_note->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *caption = new QLabel(
        QStringLiteral("Large markers: final evaluation (full test set). Small markers: probe "
                       "evaluations during training, in step order. Click a point to open its "
                       "run; double-click the plot to reset the view."),
        this);
    caption->setWordWrap(true);
    caption->setForegroundRole(QPalette::PlaceholderText);

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_includeCheckpoints);
    bar->addStretch();
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot, 1);
    layout->addLayout(bar);
    layout->addWidget(caption);
    layout->addWidget(m_note);
    m_note->hide();

    connect(m_includeCheckpoints, &QCheckBox::toggled, this, [this] {
        drawFront();
        m_plot->replot();
    });
    connect(m_plot, &QCustomPlot::mousePress, this,
            [this](QMouseEvent *event) { m_pressPos = event->pos(); });
    connect(m_plot, &QCustomPlot::mouseMove, this, &TradeoffPlot::onMouseMove);
    connect(m_plot, &QCustomPlot::mouseRelease, this, &TradeoffPlot::onMouseRelease);
    connect(m_plot, &QCustomPlot::mouseDoubleClick, this, [this] {
        resetRanges();
        m_plot->replot();
    });
    rebuild();
}

void TradeoffPlot::setRuns(const std::vector<ComparedRun> &runs)
{
    m_runs = runs;
    rebuild();
}

void TradeoffPlot::setIncludeCheckpoints(bool include)
{
    m_includeCheckpoints->setChecked(include); // toggled() redraws the front
}

bool TradeoffPlot::includeCheckpoints() const
{
    return m_includeCheckpoints->isChecked();
}

QCPGraph *TradeoffPlot::finalGraph(std::int64_t runId) const
{
    for (const auto &[id, graph] : m_finals)
        if (id == runId)
            return graph;
    return nullptr;
}

void TradeoffPlot::rebuild()
{
    m_plot->clearPlottables();
    m_plot->clearItems();
    m_points.clear();
    m_finals.clear();
    m_seedGroups.clear();

    // Drawn first so the markers sit on top of it.
    m_frontLine = m_plot->addGraph();
    m_frontLine->setName(QStringLiteral("Pareto front"));
    m_frontLine->setLineStyle(QCPGraph::lsStepLeft);
    m_frontLine->setPen(QPen(palette::emphasis(), 1.6));

    QStringList unplotted;
    for (int r = 0; r < int(m_runs.size()); ++r) {
        const auto &detail = *m_runs[r].detail;
        const QColor colour = m_runs[r].colour;
        const QString name = runLabel(detail.record);

        auto *trail = new QCPCurve(m_plot->xAxis, m_plot->yAxis);
        trail->setName(name);
        trail->setPen(QPen(colour, 1.2));
        trail->setScatterStyle(markerStyle(colour, 6, colour.darker(130)));
        QCPGraph *finalMarker = nullptr;
        for (const auto &t : services::tradeoff(detail)) {
            if (!t.downstream || !t.forgetting)
                continue;
            const Point p {detail.record.id,   r, t.step, t.isFinal, 100 * *t.forgetting,
                           100 * *t.downstream};
            m_points.push_back(p);
            if (!t.isFinal) {
                trail->addData(double(t.step), p.x, p.y); // t = step keeps the step order
                continue;
            }
            finalMarker = m_plot->addGraph();
            finalMarker->setName(name);
            finalMarker->setLineStyle(QCPGraph::lsNone);
            finalMarker->setScatterStyle(markerStyle(colour, 13, Qt::white));
            finalMarker->addData(p.x, p.y);
            auto *label = new QCPItemText(m_plot);
            label->position->setCoords(p.x, p.y);
            label->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);
            label->setPadding(QMargins(9, 0, 0, 7));
            label->setText(name);
            label->setColor(colour.darker(150));
            label->setClipToAxisRect(false);
        }
        // One legend entry per run: the big marker when there is one, else the trail.
        if (finalMarker) {
            m_finals.emplace_back(detail.record.id, finalMarker);
            trail->removeFromLegend();
            // Listed in run order, not in the order the final graphs were added.
            finalMarker->removeFromLegend();
            finalMarker->addToLegend();
        } else if (trail->dataCount() == 0) {
            unplotted << name;
            trail->removeFromLegend();
        }
    }
    drawSeedSpread();
    // The legend lists the runs first and the front last.
    m_frontLine->removeFromLegend();
    m_frontLine->addToLegend();

    m_frontMarks = m_plot->addGraph();
    m_frontMarks->setLineStyle(QCPGraph::lsNone);
    m_frontMarks->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle,
                                                  QPen(palette::emphasis(), 1.8), Qt::NoBrush, 20));
    m_frontMarks->removeFromLegend();

    // The base model has no forgetting by definition; its downstream score is not measured,
    // so it is the whole line x = 0 rather than a point.
    auto *base = new QCPItemStraightLine(m_plot);
    base->point1->setCoords(0, 0);
    base->point2->setCoords(0, 1);
    base->setPen(QPen(palette::reference(), 1.2, Qt::DashLine));
    auto *baseLabel = new QCPItemText(m_plot);
    baseLabel->position->setTypeX(QCPItemPosition::ptPlotCoords);
    baseLabel->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
    baseLabel->position->setCoords(0, 0);
    baseLabel->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
    baseLabel->setPadding(QMargins(5, 4, 0, 0));
    baseLabel->setText(QStringLiteral("base model (no forgetting)"));
    baseLabel->setColor(palette::reference().darker(120));

    if (unplotted.isEmpty()) {
        m_note->hide();
    } else {
        m_note->setText(QStringLiteral("Not plotted (no downstream score, or no base-model score "
                                       "for a general task): %1")
                            .arg(unplotted.join(QStringLiteral(", "))));
        m_note->show();
    }
    drawFront();
    resetRanges();
    m_plot->replot();
}

void TradeoffPlot::drawSeedSpread()
{
    std::vector<scores::SeededRun> seeded;
    for (const auto &run : m_runs)
        seeded.push_back(scores::seededRun(run.detail->record, services::runScoresOf(*run.detail)));
    for (const auto &group : scores::groupBySeed(seeded)) {
        if (group.downstream.n < 2 || group.forgetting.n < 2)
            continue;
        QColor colour = palette::emphasis();
        for (const auto &run : m_runs) {
            if (run.detail->record.id == group.runIds.front())
                colour = run.colour;
        }
        auto *mean = m_plot->addGraph();
        mean->setName(QStringLiteral("%1: mean ± sd over %2 seeds")
                          .arg(QString::fromStdString(group.method))
                          .arg(group.forgetting.n));
        mean->setLineStyle(QCPGraph::lsNone);
        mean->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCross, QPen(colour, 2.4),
                                              Qt::NoBrush, 16));
        mean->addData(100 * group.forgetting.mean, 100 * group.downstream.mean);
        for (const auto &[type, sd] :
             {std::pair {QCPErrorBars::etKeyError, group.forgetting.sd},
              std::pair {QCPErrorBars::etValueError, group.downstream.sd}}) {
            auto *bars = new QCPErrorBars(m_plot->xAxis, m_plot->yAxis);
            bars->setDataPlottable(mean);
            bars->setErrorType(type);
            bars->setData(QVector<double> {100 * sd});
            bars->setPen(QPen(colour, 1.6));
            bars->removeFromLegend();
        }
        m_seedGroups.push_back(mean);
    }
}

void TradeoffPlot::drawFront()
{
    const bool all = m_includeCheckpoints->isChecked();
    std::vector<std::size_t> candidates;
    std::vector<services::TradeoffPoint> values;
    for (std::size_t i = 0; i < m_points.size(); ++i) {
        if (!all && !m_points[i].isFinal)
            continue;
        services::TradeoffPoint t;
        t.downstream = m_points[i].y;
        t.forgetting = m_points[i].x;
        candidates.push_back(i);
        values.push_back(t);
    }
    QVector<double> xs, ys;
    for (const auto index : services::paretoFront(values)) {
        xs << m_points[candidates[index]].x;
        ys << m_points[candidates[index]].y;
    }
    m_frontMarks->setData(xs, ys);
    // The staircase: with at most x points of forgetting, the best known score is the last
    // front point at or left of x, so the line holds each point's value until the next one.
    m_frontLine->setData(xs, ys);
    if (!xs.isEmpty())
        m_frontLine->addData(xs.last() + 1e6, ys.last()); // on to the right edge
}

void TradeoffPlot::resetRanges()
{
    double x0 = 0, x1 = 1, y0 = 0, y1 = 100;
    if (!m_points.empty()) {
        x0 = x1 = 0; // the base line is always in view
        y0 = y1 = m_points.front().y;
        for (const auto &p : m_points) {
            x0 = std::min(x0, p.x);
            x1 = std::max(x1, p.x);
            y0 = std::min(y0, p.y);
            y1 = std::max(y1, p.y);
        }
    }
    // Room for the rings, the labels right of the finals and the legend in the lower right.
    const double dx = std::max(x1 - x0, 2.0), dy = std::max(y1 - y0, 4.0);
    m_plot->xAxis->setRange(x0 - 0.08 * dx, x1 + 0.3 * dx);
    m_plot->yAxis->setRange(y0 - 0.35 * dy, y1 + 0.15 * dy);
}

const TradeoffPlot::Point *TradeoffPlot::pointAt(const QPoint &pixel) const
{
    const Point *best = nullptr;
    double bestDistance = kHitRadius;
    for (const auto &p : m_points) {
        const double dx = m_plot->xAxis->coordToPixel(p.x) - pixel.x();
        const double dy = m_plot->yAxis->coordToPixel(p.y) - pixel.y();
        // A final marker is drawn over a probe at the same place and is the one users aim at.
        const double d = std::hypot(dx, dy) - (p.isFinal ? 2.0 : 0.0);
        if (d <= bestDistance) {
            bestDistance = d;
            best = &p;
        }
    }
    return best;
}

QString TradeoffPlot::toolTip(const Point &p) const
{
    const auto &record = m_runs[p.run].detail->record;
    return QStringLiteral("<b>%1</b><br>%2 · step %3 (%4)<br>downstream %5 %<br>"
                          "forgetting %6 points")
        .arg(runLabel(record).toHtmlEscaped(),
             QString::fromStdString(record.method).toHtmlEscaped(), QString::number(p.step),
             p.isFinal ? QStringLiteral("final, full test set") : QStringLiteral("probe subset"),
             QString::number(p.y, 'f', 1), QString::number(p.x, 'f', 1));
}

void TradeoffPlot::onMouseMove(QMouseEvent *event)
{
    if (event->buttons() != Qt::NoButton)
        return; // dragging the view
    if (const Point *p = pointAt(event->pos())) {
        m_plot->setCursor(Qt::PointingHandCursor);
        QToolTip::showText(event->globalPosition().toPoint(), toolTip(*p), m_plot);
    } else {
        m_plot->unsetCursor();
        QToolTip::hideText();
    }
}

void TradeoffPlot::onMouseRelease(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton
        || (event->pos() - m_pressPos).manhattanLength() > kClickSlop)
        return;
    if (const Point *p = pointAt(event->pos()))
        Q_EMIT runActivated(p->runId);
}

} // namespace slim::ui
