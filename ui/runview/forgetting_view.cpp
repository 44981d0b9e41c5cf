#include "runview/forgetting_view.h"

#include "common/palette.h"
#include "plot/plot_setup.h"
#include "plot/qcustomplot_include.h"
#include "run_session.h"
#include "runview/runview_support.h"

#include <QLabel>
#include <QStackedWidget>
#include <QVBoxLayout>

namespace slim::ui {

namespace {

const QColor kAverageColor(0x22, 0x22, 0x22);

} // namespace

ForgettingView::ForgettingView(const services::RunSession *session, QWidget *parent)
    : QWidget(parent)
    , m_stack(new QStackedWidget)
    , m_empty(new QLabel)
    , m_plot(new QCustomPlot)
    , m_caption(new QLabel)
    , m_session(session)
{
    m_plot->setObjectName(QStringLiteral("forgettingPlot"));
    runplot::stylePlot(m_plot, QStringLiteral("General-suite scores vs the base model"),
                       QStringLiteral("step"),
                       QStringLiteral("change vs base (percentage points)"));
    m_plot->yAxis2->setLabel(QStringLiteral("bits per byte change vs base (higher = worse)"));
    preparePlot(m_plot, QStringLiteral("forgetting"));

    auto *zero = new QCPItemStraightLine(m_plot);
    zero->point1->setCoords(0, 0);
    zero->point2->setCoords(1, 0);
    zero->setPen(QPen(palette::reference(), 1.0, Qt::DashLine));
    zero->setSelectable(false);

    connect(m_plot, &QCustomPlot::mouseDoubleClick, this, [this] { resetRanges(); });
    connect(m_plot->xAxis, qOverload<const QCPRange &>(&QCPAxis::rangeChanged), this,
            &ForgettingView::fitValues);

    m_caption->setWordWrap(true);
    m_caption->setText(QStringLiteral(
        "Each line is a general task's score minus the base model's score on the same items, "
        "scoring mode and prompt template; below zero the run has forgotten. Circles are probe "
        "evaluations during training, on a fixed subset of the test items (noisier); the "
        "diamond is the final evaluation on the full test set. The bold line averages the "
        "general choice tasks. Bits-per-byte tasks use the right axis, where higher is worse."));
    m_caption->setStyleSheet(palette::textStyle(palette::mutedText()));

    m_empty->setObjectName(QStringLiteral("forgettingEmpty"));
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setWordWrap(true);
    m_empty->setMargin(24);
    m_empty->setStyleSheet(palette::textStyle(palette::mutedText())
                           + QStringLiteral(" font-size: 11pt;"));

    auto *plotPage = new QWidget;
    auto *plotLayout = new QVBoxLayout(plotPage);
    plotLayout->setContentsMargins(0, 0, 0, 0);
    plotLayout->addWidget(m_plot, 1);
    plotLayout->addWidget(m_caption);
    m_stack->addWidget(m_empty);
    m_stack->addWidget(plotPage);

    auto *root = new QVBoxLayout(this);
    root->addWidget(m_stack);
    connect(m_session, &services::RunSession::detailChanged, this, &ForgettingView::rebuild);
    connect(m_session, &services::RunSession::liveMerged, this,
            [this](const services::LiveUpdate &update) {
                if (update.evalsChanged)
                    rebuild();
            });
    rebuild();
}

bool ForgettingView::hasData() const
{
    return m_stack->currentIndex() == 1;
}

QString ForgettingView::emptyText() const
{
    return m_empty->text();
}

void ForgettingView::rebuild()
{
    m_plot->clearGraphs();
    m_average = m_averageFinal = nullptr;
    bool anyGeneral = false, anyDelta = false, anyBitsPerByte = false;
    int colorIndex = 0; // general tasks come first in primaryScores: same colours as Curves
    for (const auto &task : m_session->primaryScores()) {
        if (task.kind != store::TaskKind::General)
            continue;
        anyGeneral = true;
        const QColor color = palette::series(colorIndex++);
        const bool bitsPerByte = !task.higherIsBetter;
        const double scale = bitsPerByte ? 1.0 : 100.0;
        QVector<QCPGraphData> probe, finals;
        for (const auto &p : task.points) {
            if (!p.base)
                continue;
            (p.isFinal ? finals : probe)
                .append(QCPGraphData(double(p.step), (p.value - *p.base) * scale));
        }
        if (probe.isEmpty() && finals.isEmpty())
            continue;
        anyDelta = true;
        anyBitsPerByte = anyBitsPerByte || bitsPerByte;
        QCPAxis *axis = bitsPerByte ? m_plot->yAxis2 : m_plot->yAxis;
        const QString name = QString::fromStdString(task.task);

        auto *line = m_plot->addGraph(m_plot->xAxis, axis);
        line->setName(bitsPerByte ? name + QStringLiteral(" (bits/byte, right axis)") : name);
        line->setPen(QPen(color, 1.4));
        line->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, color, Qt::white, 6));
        line->data()->set(probe, true);
        if (!finals.isEmpty()) {
            auto *finalPoints = m_plot->addGraph(m_plot->xAxis, axis);
            finalPoints->setName(name + QStringLiteral(" final"));
            finalPoints->setLineStyle(QCPGraph::lsNone);
            finalPoints->setScatterStyle(
                QCPScatterStyle(QCPScatterStyle::ssDiamond, color, color, 10));
            finalPoints->data()->set(finals, true);
            finalPoints->removeFromLegend();
        }
    }

    // forgetting = base - run (fractions), so the change plotted is its negation, in points.
    QVector<QCPGraphData> averageProbe, averageFinal;
    for (const auto &p : m_session->tradeoff()) {
        if (p.forgetting)
            (p.isFinal ? averageFinal : averageProbe)
                .append(QCPGraphData(double(p.step), -*p.forgetting * 100.0));
    }
    if (!averageProbe.isEmpty() || !averageFinal.isEmpty()) {
        m_average = m_plot->addGraph();
        m_average->setName(QStringLiteral("average of general tasks"));
        m_average->setPen(QPen(kAverageColor, 3.0));
        m_average->setScatterStyle(
            QCPScatterStyle(QCPScatterStyle::ssCircle, kAverageColor, Qt::white, 8));
        m_average->data()->set(averageProbe, true);
        m_averageFinal = m_plot->addGraph();
        m_averageFinal->setName(QStringLiteral("average, final (full test set)"));
        m_averageFinal->setLineStyle(QCPGraph::lsNone);
        m_averageFinal->setScatterStyle(
            QCPScatterStyle(QCPScatterStyle::ssDiamond, kAverageColor, kAverageColor, 13));
        m_averageFinal->data()->set(averageFinal, true);
    }
    m_plot->yAxis2->setVisible(anyBitsPerByte);
    m_plot->yAxis2->setTickLabels(anyBitsPerByte);
    runplot::placeLegend(m_plot, true);

    if (!anyGeneral) {
        m_empty->setText(QStringLiteral(
            "No general-suite evaluation yet.\n\nForgetting appears once the run evaluates its "
            "general tasks: on a probe subset during training, and on the full test set at the "
            "end."));
    } else if (!anyDelta) {
        m_empty->setText(QStringLiteral(
            "The general tasks were evaluated, but the base model's scores on the same items, "
            "scoring mode and template are not cached, so the change cannot be computed."));
    }
    m_stack->setCurrentIndex(anyDelta ? 1 : 0);
    resetRanges();
}

void ForgettingView::resetRanges()
{
    double last = 0;
    for (int i = 0; i < m_plot->graphCount(); ++i) {
        const auto data = m_plot->graph(i)->data();
        if (!data->isEmpty())
            last = std::max(last, (data->constEnd() - 1)->key);
    }
    m_plot->xAxis->setRange(0, std::max(1.0, last * 1.04));
    fitValues();
    requestReplot(m_plot);
}

void ForgettingView::fitValues()
{
    runplot::fitValueAxes(m_plot);
    // Zero (no change) stays in view so the sign reads at a glance.
    for (QCPAxis *axis : {m_plot->yAxis, m_plot->yAxis2}) {
        QCPRange range = axis->range();
        const double minPad = axis == m_plot->yAxis ? 0.5 : 0.01; // points / bits per byte
        const double pad = std::max(minPad, 0.06 * range.size());
        if (range.lower > -pad)
            range.lower = -pad;
        if (range.upper < pad)
            range.upper = pad;
        axis->setRange(range);
    }
}

} // namespace slim::ui
