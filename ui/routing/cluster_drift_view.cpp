#include "cluster_drift_view.h"

#include "common/palette.h"

#include "cluster_projection_plot.h"
#include "common/refresh_when_visible.h"
#include "plot/plot_setup.h"
#include "routing_plot_style.h"
#include "run_session.h"
#include "step_scrubber.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSplitter>
#include <QStackedWidget>
#include <QVBoxLayout>

#include <cmath>
#include <limits>
#include <numeric>

namespace slim::ui {

namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

QSplitter *splitter(Qt::Orientation orientation, QWidget *first, QWidget *second)
{
    auto *split = new QSplitter(orientation);
    split->addWidget(first);
    split->addWidget(second);
    split->setChildrenCollapsible(false);
    return split;
}

} // namespace

ClusterDriftView::ClusterDriftView(const services::RunSession *session, QWidget *parent)
    : QWidget(parent)
    , m_session(session)
    , m_stack(new QStackedWidget(this))
    , m_empty(new QLabel(this))
    , m_layer(new QComboBox(this))
    , m_logScale(new QCheckBox(QStringLiteral("Log scale"), this))
    , m_scrubber(new StepScrubber(this))
    , m_projection(new ClusterProjectionPlot(this))
    , m_liveRefresh(new RefreshWhenVisible(this, [this] { refresh(false); }))
{
    auto *content = new QWidget(this);
    auto *layout = new QVBoxLayout(content);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(buildControls());
    auto *top = splitter(Qt::Horizontal, buildDriftPlot(), buildSizesPlot());
    auto *bottom = splitter(Qt::Horizontal, m_projection, buildDplusPlot());
    layout->addWidget(splitter(Qt::Vertical, top, bottom), 1);

    stackWithEmptyState(this, m_stack, m_empty, content);

    connect(m_layer, &QComboBox::currentIndexChanged, this, &ClusterDriftView::showLayer);
    connect(m_logScale, &QCheckBox::toggled, this, [this] {
        rebuildDrift();
        requestReplot(m_drift);
    });
    connect(m_scrubber, &StepScrubber::currentStepChanged, this, &ClusterDriftView::showStep);
    connect(m_session, &services::RunSession::detailChanged, this, [this] {
        m_projection->setLayer(nullptr, -1);
        refresh(true);
    });
    connect(m_session, &services::RunSession::liveMerged, this,
            [this](const services::LiveUpdate &update) {
                if (update.clustersChanged)
                    m_liveRefresh->request();
            });
    refresh(true);
}

QWidget *ClusterDriftView::buildControls()
{
    m_layer->setObjectName(QStringLiteral("layerCombo"));
    m_layer->setToolTip(QStringLiteral("Layer shown by the sizes, projection and d+ plots"));
    m_logScale->setObjectName(QStringLiteral("logScale"));
    m_logScale->setToolTip(QStringLiteral("Logarithmic drift axis: early and late drift on one "
                                          "plot"));
    auto *controls = new QWidget(this);
    auto *row = new QHBoxLayout(controls);
    row->setContentsMargins(0, 0, 0, 0);
    auto *label = new QLabel(QStringLiteral("&Layer"), controls);
    label->setBuddy(m_layer);
    row->addWidget(label);
    row->addWidget(m_layer);
    row->addSpacing(8);
    row->addWidget(m_logScale);
    row->addSpacing(16);
    row->addWidget(m_scrubber, 1);
    return controls;
}

QCustomPlot *ClusterDriftView::buildDriftPlot()
{
    m_drift = new QCustomPlot(this);
    m_drift->setObjectName(QStringLiteral("driftPlot"));
    stylePlot(m_drift);
    addPlotTitle(m_drift, QStringLiteral("Centre drift per layer (mean over clusters)"));
    m_drift->xAxis->setLabel(QStringLiteral("Step"));
    m_drift->yAxis->setLabel(QStringLiteral("Drift ‖c − c_prev‖ per report"));
    m_drift->legend->setFillOrder(QCPLegend::foColumnsFirst);
    m_drift->legend->setWrap(4);
    m_drift->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    m_driftCursor = new QCPItemStraightLine(m_drift);
    m_driftCursor->setPen(QPen(palette::cursor(), 1, Qt::DashLine));
    preparePlot(m_drift, QStringLiteral("cluster_centre_drift"));
    return m_drift;
}

QCustomPlot *ClusterDriftView::buildSizesPlot()
{
    m_sizes = new QCustomPlot(this);
    m_sizes->setObjectName(QStringLiteral("sizesPlot"));
    stylePlot(m_sizes);
    m_sizesTitle = addPlotTitle(m_sizes, QStringLiteral("Cluster sizes"));
    m_sizes->xAxis->setLabel(QStringLiteral("Cluster"));
    m_sizes->xAxis->setTicker(QSharedPointer<QCPAxisTickerText>::create());
    m_sizes->xAxis->setSubTicks(false);
    m_sizes->xAxis->grid()->setVisible(false);
    m_sizes->yAxis->setLabel(QStringLiteral("Inputs assigned since previous report"));
    preparePlot(m_sizes, QStringLiteral("cluster_sizes"));
    return m_sizes;
}

QCustomPlot *ClusterDriftView::buildDplusPlot()
{
    m_dplus = new QCustomPlot(this);
    m_dplus->setObjectName(QStringLiteral("dplusPlot"));
    stylePlot(m_dplus);
    m_dplusTitle = addPlotTitle(m_dplus, QStringLiteral("d⁺ distribution"));
    m_dplus->xAxis->setLabel(
        QStringLiteral("d⁺ = max(0, deviation / τ − 1)   (last bin open-ended)"));
    m_dplus->yAxis->setLabel(QStringLiteral("Share of scored inputs"));
    m_dplus->legend->setVisible(true);
    m_dplus->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    m_dplus->setToolTip(QStringLiteral("How far inputs fall outside the cluster they are "
                                       "assigned to, per probe: inputs with d⁺ > 0 are routed "
                                       "more towards the identity experts."));
    preparePlot(m_dplus, QStringLiteral("dplus_distribution"));
    return m_dplus;
}

void ClusterDriftView::refresh(bool toLatest)
{
    const auto &index = m_session->clusters();
    showEmptyState();
    {
        const QSignalBlocker block(m_layer);
        const QVariant previous = m_layer->currentData();
        m_layer->clear();
        for (auto layer : index.layers())
            m_layer->addItem(QStringLiteral("Layer %1").arg(layer),
                             QVariant::fromValue(qlonglong(layer)));
        m_layer->setCurrentIndex(std::max(0, m_layer->findData(previous)));
    }
    rebuildDrift();
    m_scrubber->setSteps(index.steps(), toLatest);
    showLayer();
}

void ClusterDriftView::rebuildDrift()
{
    const auto &index = m_session->clusters();
    const bool log = m_logScale->isChecked();
    const auto selected = m_layer->currentData().toLongLong();
    m_drift->clearGraphs();
    m_driftLayers.clear();
    double lo = std::numeric_limits<double>::max(), hi = 0;
    for (auto layer : index.layers()) {
        if (index.centres(layer))
            m_driftLayers.push_back(layer);
    }
    const int count = int(m_driftLayers.size());
    for (int i = 0; i < count; ++i) {
        QVector<double> steps, drift;
        for (const auto &[step, value] : index.meanDrift(m_driftLayers[std::size_t(i)])) {
            steps.push_back(double(step));
            // A log axis cannot show 0 (the first report has no previous centre): leave a gap.
            drift.push_back(log && value <= 0 ? kNan : value);
            if (value > 0)
                lo = std::min(lo, value);
            hi = std::max(hi, value);
        }
        QCPGraph *graph = m_drift->addGraph();
        graph->setName(QStringLiteral("Layer %1").arg(m_driftLayers[std::size_t(i)]));
        graph->setPen(
            QPen(seriesColour(i, count), m_driftLayers[std::size_t(i)] == selected ? 2.8 : 1.3));
        graph->setData(steps, drift, true);
        if (steps.size() < 30)
            graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 4));
        if (count > 8)
            graph->removeFromLegend();
    }
    m_drift->legend->setVisible(count > 0 && count <= 8);
    auto *yAxis = m_drift->yAxis;
    if (log) {
        yAxis->setScaleType(QCPAxis::stLogarithmic);
        yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
        yAxis->setNumberFormat(QStringLiteral("eb"));
        yAxis->setNumberPrecision(0);
        if (hi > 0)
            yAxis->setRange(lo / 1.5, hi * 1.5);
    } else {
        yAxis->setScaleType(QCPAxis::stLinear);
        yAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
        yAxis->setNumberFormat(QStringLiteral("gb"));
        yAxis->setNumberPrecision(3);
        yAxis->setRange(0, hi > 0 ? hi * 1.15 : 1);
    }
    const auto steps = index.steps();
    if (!steps.empty()) {
        m_drift->xAxis->setRange(stepAxisRange(double(steps.front()), double(steps.back())));
    }
}

void ClusterDriftView::showLayer()
{
    const auto layer = m_layer->currentData().toLongLong();
    for (int i = 0; i < m_drift->graphCount(); ++i) {
        QPen pen = m_drift->graph(i)->pen();
        pen.setWidthF(m_driftLayers[std::size_t(i)] == layer ? 2.8 : 1.3);
        m_drift->graph(i)->setPen(pen);
    }
    m_projection->setLayer(m_layer->count() ? &m_session->clusters() : nullptr, layer);
    showStep();
}

void ClusterDriftView::showStep()
{
    const auto step = m_scrubber->currentStep();
    if (!step || m_layer->count() == 0)
        return;
    const auto layer = m_layer->currentData().toLongLong();
    m_driftCursor->point1->setCoords(double(*step), 0);
    m_driftCursor->point2->setCoords(double(*step), 1);
    showSizes(layer, *step);
    showDplus(layer, *step);
    m_projection->showStep(*step);
    requestReplot(m_drift);
    requestReplot(m_sizes);
    requestReplot(m_dplus);
}

void ClusterDriftView::showSizes(std::int64_t layer, std::int64_t step)
{
    const auto &index = m_session->clusters();
    m_sizes->clearPlottables();
    const auto *centres = index.centres(layer);
    auto ticker = qSharedPointerCast<QCPAxisTickerText>(m_sizes->xAxis->ticker());
    ticker->clear();
    if (!centres || centres->empty()) {
        m_sizesTitle->setText(QStringLiteral("Cluster sizes · layer %1 · no snapshots").arg(layer));
        return;
    }
    // The snapshot at the step, or the latest before it (d+ probes add steps without centres).
    auto at = centres->upper_bound(step);
    if (at != centres->begin())
        --at;
    double most = 1;
    for (const auto &entry : *centres)
        for (const auto &cluster : entry.second)
            most = std::max(most, double(cluster.second->size));
    const int count = int(at->second.size());
    int k = 0;
    for (const auto &[cluster, row] : at->second) {
        // One QCPBars per cluster: each gets its trajectory's colour in the projection.
        auto *bars = new QCPBars(m_sizes->xAxis, m_sizes->yAxis);
        bars->setName(QStringLiteral("C%1").arg(cluster));
        bars->setPen(Qt::NoPen);
        bars->setBrush(seriesColour(k, count));
        bars->setWidth(0.7);
        bars->addData(double(k), double(row->size));
        ticker->addTick(double(k), QStringLiteral("C%1").arg(cluster));
        ++k;
    }
    m_sizes->xAxis->setRange(-0.6, count - 0.4);
    m_sizes->yAxis->setRange(0, most * 1.12); // fixed per layer, so scrubbing compares sizes
    m_sizesTitle->setText(
        QStringLiteral("Cluster sizes · layer %1 · step %2").arg(layer).arg(at->first));
}

void ClusterDriftView::showDplus(std::int64_t layer, std::int64_t step)
{
    const auto &index = m_session->clusters();
    m_dplus->clearGraphs();
    double top = 0, right = 0;
    for (const auto &probe : index.probes()) {
        const auto *row = index.stats(probe, layer, step);
        if (!row || row->dplusHistogram.empty())
            continue;
        const auto bins = int(row->dplusHistogram.size());
        const double total = double(std::accumulate(row->dplusHistogram.begin(),
                                                    row->dplusHistogram.end(), std::int64_t(0)));
        const double width = row->histogramMax ? *row->histogramMax / bins : 1.0;
        QVector<double> keys, shares;
        for (int b = 0; b <= bins; ++b) { // the extra point closes the last step
            const double count = double(row->dplusHistogram[std::size_t(std::min(b, bins - 1))]);
            keys.push_back(b * width);
            shares.push_back(total > 0 ? count / total : 0.0);
            top = std::max(top, shares.back());
        }
        right = std::max(right, bins * width);
        const QColor colour = probeColour(probe);
        QCPGraph *graph = m_dplus->addGraph();
        graph->setLineStyle(QCPGraph::lsStepLeft);
        graph->setPen(QPen(colour, 2));
        QColor fill = colour;
        fill.setAlpha(40);
        graph->setBrush(fill);
        graph->setData(keys, shares, true);
        graph->setName(
            QStringLiteral("%1 · mean d⁺ %2%3")
                .arg(QString::fromStdString(probe))
                .arg(row->dplusMean, 0, 'f', 3)
                .arg(row->step != step ? QStringLiteral(" (step %1)").arg(row->step) : QString()));
    }
    m_dplus->xAxis->setRange(0, right > 0 ? right : 1);
    m_dplus->yAxis->setRange(0, top > 0 ? top * 1.15 : 1);
    m_dplusTitle->setText(
        m_dplus->graphCount()
            ? QStringLiteral("d⁺ distribution · layer %1 · step %2").arg(layer).arg(step)
            : QStringLiteral("d⁺ distribution · layer %1 · nothing scored yet").arg(layer));
}

void ClusterDriftView::showEmptyState()
{
    const auto &index = m_session->clusters();
    if (!index.empty()) {
        m_stack->setCurrentIndex(1);
        return;
    }
    if (!m_session->hasDetail())
        m_empty->setText(QStringLiteral("No run loaded."));
    else if (m_session->record().method == "slim")
        m_empty->setText(QStringLiteral("No cluster snapshots recorded yet. They appear at the "
                                        "run's first logging step."));
    else
        m_empty->setText(QStringLiteral("Cluster drift is recorded for SLIM runs"));
    m_stack->setCurrentIndex(0);
}

} // namespace slim::ui
