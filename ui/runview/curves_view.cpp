#include "runview/curves_view.h"

#include "common/palette.h"
#include "common/refresh_when_visible.h"
#include "plot/plot_setup.h"
#include "run_session.h"
#include "runview/runview_support.h"
#include "runview/scores_view.h"

#include <QCheckBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QVBoxLayout>

#include <limits>

namespace slim::ui {

namespace {

const QString kLossPrefix = QStringLiteral("loss/");
const QString kLr = QStringLiteral("lr");

// The main terms keep their colours whatever else a method logs.
int lossColorIndex(const QString &name, int fallback)
{
    if (name == QLatin1String("loss/lm"))
        return 0;
    if (name == QLatin1String("loss/l1"))
        return 1;
    if (name == QLatin1String("loss/aux"))
        return 2;
    return 3 + fallback;
}

QCustomPlot *makePlot(const QString &objectName, const QString &title, const QString &yLabel,
                      const QString &exportName)
{
    auto *plot = new QCustomPlot;
    plot->setObjectName(objectName);
    runplot::stylePlot(plot, title, QStringLiteral("step"), yLabel);
    preparePlot(plot, exportName);
    return plot;
}

} // namespace

CurvesView::CurvesView(const services::RunSession *session, QWidget *parent)
    : QWidget(parent)
    , m_session(session)
    , m_lossPlot(makePlot(QStringLiteral("lossPlot"), QStringLiteral("Losses"),
                          QStringLiteral("loss (nats/token)"), QStringLiteral("losses")))
    , m_lrPlot(makePlot(QStringLiteral("lrPlot"), QStringLiteral("Learning rate"),
                        QStringLiteral("learning rate"), QStringLiteral("learning-rate")))
    , m_otherPlot(makePlot(QStringLiteral("otherPlot"), QStringLiteral("Other metrics"),
                           QStringLiteral("value"), QStringLiteral("metrics")))
    , m_scores(new ScoresView(session))
    , m_plots(
          {m_lossPlot, m_lrPlot, m_scores->downstreamPlot(), m_scores->generalPlot(), m_otherPlot})
    , m_lossEmpty(runplot::addCentredText(m_lossPlot))
    , m_lrEmpty(runplot::addCentredText(m_lrPlot))
    , m_otherEmpty(runplot::addCentredText(m_otherPlot))
    , m_picker(new QListWidget)
    , m_logScale(new QCheckBox(QStringLiteral("Log-scale losses")))
    , m_liveRefresh(new RefreshWhenVisible(this, [this] { redrawLive(); }))
{
    m_lrPlot->yAxis->setNumberFormat(QStringLiteral("gb"));
    m_lrPlot->yAxis->setNumberPrecision(2);

    auto *grid = new QGridLayout;
    grid->setSpacing(6);
    grid->addWidget(m_lossPlot, 0, 0);
    grid->addWidget(m_scores, 0, 1);
    grid->addWidget(m_lrPlot, 1, 0);
    grid->addWidget(m_otherPlot, 1, 1);
    // Space by stretch, not by size hints: a plot's hint is its legend's width, which would
    // let the scores' legend widen its column at the others' expense.
    grid->setColumnStretch(0, 1);
    grid->setColumnStretch(1, 1);
    grid->setRowStretch(0, 3);
    grid->setRowStretch(1, 2);

    m_picker->setObjectName(QStringLiteral("metricPicker"));
    m_picker->setToolTip(QStringLiteral("Tick metrics to plot them under \"Other metrics\"; "
                                        "each gets its own value axis."));
    m_logScale->setObjectName(QStringLiteral("lossLogScale"));
    auto *hint = new QLabel(QStringLiteral("Drag or scroll on a plot to pan or zoom the steps; "
                                           "double-click to show everything again."));
    hint->setWordWrap(true);
    hint->setStyleSheet(palette::textStyle(palette::mutedText()));
    auto *side = new QVBoxLayout;
    side->addWidget(m_logScale);
    side->addSpacing(8);
    side->addWidget(new QLabel(QStringLiteral("<b>Other metrics</b>")));
    side->addWidget(m_picker, 1);
    side->addWidget(hint);
    auto *sideWidget = new QWidget;
    sideWidget->setLayout(side);
    sideWidget->setFixedWidth(190);
    side->setContentsMargins(0, 0, 0, 0);

    auto *root = new QHBoxLayout(this);
    root->addLayout(grid, 1);
    root->addWidget(sideWidget);

    connect(m_logScale, &QCheckBox::toggled, this, &CurvesView::setLossLogScale);
    connect(m_picker, &QListWidget::itemChanged, this, [this](QListWidgetItem *item) {
        if (item->checkState() == Qt::Checked)
            m_shownMetrics.insert(item->text());
        else
            m_shownMetrics.remove(item->text());
        rebuildOtherPlot();
        resetRangesIfFollowing();
    });
    for (QCustomPlot *plot : m_plots) {
        connect(plot->xAxis, qOverload<const QCPRange &>(&QCPAxis::rangeChanged), this,
                [this, plot] { syncKeyRange(plot); });
        // Dragging or zooming pins the view; new live points no longer move it.
        connect(plot, &QCustomPlot::mousePress, this, [this] { m_followLive = false; });
        connect(plot, &QCustomPlot::mouseWheel, this, [this] { m_followLive = false; });
        connect(plot, &QCustomPlot::mouseDoubleClick, this, [this] {
            m_followLive = true;
            resetRanges();
        });
    }
    connect(m_session, &services::RunSession::detailChanged, this, &CurvesView::reload);
    connect(m_session, &services::RunSession::liveMerged, this, &CurvesView::appendLive);
    reload();
}

CurvesView::~CurvesView() = default;

CurvesView::Target CurvesView::targetOf(const QString &name)
{
    if (name.startsWith(kLossPrefix))
        return Target::Loss;
    if (name == kLr)
        return Target::Lr;
    return Target::Other;
}

void CurvesView::clearPlots()
{
    for (QCustomPlot *plot : {m_lossPlot, m_lrPlot, m_otherPlot})
        plot->clearGraphs();
    m_series.clear();
    {
        const QSignalBlocker block(m_picker);
        m_picker->clear();
    }
    m_scoresDirty = false;
    m_followLive = true;
}

CurvesView::Series &CurvesView::ensureSeries(const QString &name, bool withBand)
{
    auto it = m_series.find(name);
    if (it != m_series.end())
        return it->second;
    Series &series = m_series[name];
    series.line = QSharedPointer<QCPGraphDataContainer>::create();
    if (withBand) {
        series.low = QSharedPointer<QCPGraphDataContainer>::create();
        series.high = QSharedPointer<QCPGraphDataContainer>::create();
    }
    switch (targetOf(name)) {
    case Target::Loss:
        addGraphs(name, series, m_lossPlot, m_lossPlot->yAxis,
                  palette::series(lossColorIndex(name, m_lossPlot->graphCount())));
        break;
    case Target::Lr:
        addGraphs(name, series, m_lrPlot, m_lrPlot->yAxis, palette::series(0));
        break;
    case Target::Other: {
        const QSignalBlocker block(m_picker);
        auto *item = new QListWidgetItem(name);
        item->setFlags(Qt::ItemIsUserCheckable | Qt::ItemIsEnabled);
        item->setCheckState(m_shownMetrics.contains(name) ? Qt::Checked : Qt::Unchecked);
        m_otherDirty = m_otherDirty || m_shownMetrics.contains(name);
        int row = 0;
        while (row < m_picker->count() && m_picker->item(row)->text() < name)
            ++row;
        m_picker->insertItem(row, item);
        break;
    }
    }
    return series;
}

void CurvesView::addGraphs(const QString &name, Series &series, QCustomPlot *plot,
                           QCPAxis *valueAxis, const QColor &color)
{
    // The min..max band goes first so the line is drawn over it.
    if (series.low) {
        QColor fill = color;
        fill.setAlpha(45);
        auto *low = plot->addGraph(plot->xAxis, valueAxis);
        low->setName(name + QStringLiteral(" min"));
        low->setData(series.low);
        low->setPen(Qt::NoPen);
        low->removeFromLegend();
        auto *high = plot->addGraph(plot->xAxis, valueAxis);
        high->setName(name + QStringLiteral(" max"));
        high->setData(series.high);
        high->setPen(Qt::NoPen);
        high->setBrush(fill);
        high->setChannelFillGraph(low);
        high->removeFromLegend();
    }
    series.graph = plot->addGraph(plot->xAxis, valueAxis);
    series.graph->setName(name);
    series.graph->setData(series.line);
    series.graph->setPen(QPen(color, 1.6));
}

void CurvesView::reload()
{
    clearPlots();
    for (const auto &[stdName, buckets] : m_session->series()) {
        if (buckets.empty())
            continue;
        bool bucketed = false;
        for (const auto &b : buckets)
            bucketed = bucketed || b.count > 1;
        const QString name = QString::fromStdString(stdName);
        // The graphs are made after the containers' shape is known (band or not).
        Series &series = ensureSeries(name, bucketed);
        QVector<QCPGraphData> line, low, high;
        line.reserve(int(buckets.size()));
        for (const auto &b : buckets) {
            const double key = double(b.lastStep);
            line.append(QCPGraphData(key, b.last));
            if (bucketed) {
                low.append(QCPGraphData(key, b.min));
                high.append(QCPGraphData(key, b.max));
            }
        }
        series.line->add(line, true);
        if (bucketed) {
            series.low->add(low, true);
            series.high->add(high, true);
        }
    }
    rebuildOtherPlot();
    m_scores->rebuild();
    refreshEmptyTexts();
    resetRanges();
}

void CurvesView::appendLive(const services::LiveUpdate &update)
{
    // The session passes only rows after each series' last step, in step order per metric.
    std::map<QString, QVector<QCPGraphData>> fresh;
    for (const auto &row : update.metrics)
        fresh[QString::fromStdString(row.name)].append(QCPGraphData(double(row.step), row.value));
    for (const auto &[name, points] : fresh) {
        Series &series = ensureSeries(name, false);
        series.line->add(points, true);
        if (series.low) { // a loaded bucketed series continues as a zero-width band
            series.low->add(points, true);
            series.high->add(points, true);
        }
    }
    m_scoresDirty = m_scoresDirty || update.evalsChanged;
    if (!fresh.empty() || update.evalsChanged || m_otherDirty)
        m_liveRefresh->request();
}

void CurvesView::redrawLive()
{
    if (m_otherDirty)
        rebuildOtherPlot();
    if (m_scoresDirty)
        m_scores->rebuild();
    m_scoresDirty = false;
    refreshEmptyTexts();
    if (m_followLive)
        resetRanges(); // ends with replotAll()
    else
        replotAll();
}

QStringList CurvesView::otherMetrics() const
{
    QStringList names;
    for (int row = 0; row < m_picker->count(); ++row)
        names << m_picker->item(row)->text();
    return names;
}

void CurvesView::setMetricShown(const QString &name, bool shown)
{
    const auto items = m_picker->findItems(name, Qt::MatchExactly);
    for (auto *item : items)
        item->setCheckState(shown ? Qt::Checked : Qt::Unchecked);
}

void CurvesView::setLossLogScale(bool log)
{
    if (m_logScale->isChecked() != log) {
        m_logScale->setChecked(log); // re-enters through toggled
        return;
    }
    QCPAxis *axis = m_lossPlot->yAxis;
    axis->setScaleType(log ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    if (log)
        axis->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
    else
        axis->setTicker(QSharedPointer<QCPAxisTicker>::create());
    runplot::fitValueAxes(m_lossPlot);
    requestReplot(m_lossPlot);
}

void CurvesView::rebuildOtherPlot()
{
    m_otherDirty = false;
    QCustomPlot *plot = m_otherPlot;
    plot->clearGraphs(); // the data lives on in the series' containers
    for (QCPAxis *axis : plot->axisRect()->axes(QCPAxis::atRight)) {
        if (axis != plot->yAxis2)
            plot->axisRect()->removeAxis(axis);
    }
    for (auto &[name, series] : m_series) {
        if (targetOf(name) == Target::Other)
            series.graph = nullptr;
    }
    QList<QCPAxis *> valueAxes;
    for (int row = 0; row < m_picker->count(); ++row) {
        const auto *item = m_picker->item(row);
        if (item->checkState() != Qt::Checked)
            continue;
        const int i = int(valueAxes.size());
        // Metrics of different units each get an axis: left, right, then further right.
        QCPAxis *axis = i == 0 ? plot->yAxis
            : i == 1           ? plot->yAxis2
                               : plot->axisRect()->addAxis(QCPAxis::atRight);
        const QColor color = palette::series(4 + i);
        axis->setVisible(true);
        axis->setTickLabels(true);
        axis->setLabel(item->text());
        axis->setLabelColor(color);
        axis->setTickLabelColor(color);
        axis->setTickLabelFont(plot->xAxis->tickLabelFont());
        axis->setNumberFormat(QStringLiteral("gb"));
        axis->grid()->setVisible(i == 0);
        valueAxes << axis;
        addGraphs(item->text(), m_series[item->text()], plot, axis, color);
    }
    if (valueAxes.isEmpty()) {
        plot->yAxis->setLabel(QStringLiteral("value"));
        plot->yAxis->setLabelColor(Qt::black);
        plot->yAxis->setTickLabelColor(Qt::black);
    }
    if (valueAxes.size() < 2)
        plot->yAxis2->setVisible(false);
    runplot::placeLegend(plot, valueAxes.size() > 1); // one metric: the axis label names it
    refreshEmptyTexts();
    requestReplot(plot);
}

void CurvesView::refreshEmptyTexts()
{
    auto hasData = [this](Target target) {
        for (const auto &[name, series] : m_series) {
            if (targetOf(name) == target && !series.line->isEmpty())
                return true;
        }
        return false;
    };
    m_lossEmpty->setText(QStringLiteral("No loss recorded yet"));
    m_lossEmpty->setVisible(!hasData(Target::Loss));
    m_lrEmpty->setText(QStringLiteral("No learning rate recorded yet"));
    m_lrEmpty->setVisible(!hasData(Target::Lr));
    if (m_picker->count() == 0)
        m_otherEmpty->setText(QStringLiteral("No other metrics recorded"));
    else
        m_otherEmpty->setText(QStringLiteral("Tick a metric on the right to plot it here"));
    m_otherEmpty->setVisible(m_otherPlot->graphCount() == 0);
}

void CurvesView::resetRangesIfFollowing()
{
    if (m_followLive)
        resetRanges();
    else
        runplot::fitValueAxes(m_otherPlot);
    requestReplot(m_otherPlot);
}

void CurvesView::resetRanges()
{
    double first = 1, last = 0;
    for (QCustomPlot *plot : m_plots) {
        for (int i = 0; i < plot->graphCount(); ++i) {
            const auto data = plot->graph(i)->data();
            if (!data->isEmpty()) {
                first = std::min(first, data->constBegin()->key);
                last = std::max(last, (data->constEnd() - 1)->key);
            }
        }
    }
    {
        // Room for the markers at the ends: the final evaluation, a probe at step 0.
        const double upper = std::max(1.0, last * 1.04);
        const double lower = first <= 0 ? -0.02 * upper : 0.0;
        m_syncing = true;
        for (QCustomPlot *plot : m_plots)
            plot->xAxis->setRange(lower, upper);
        m_syncing = false;
    }
    fitValueAxes();
    replotAll();
}

void CurvesView::syncKeyRange(QCustomPlot *source)
{
    if (m_syncing)
        return;
    m_syncing = true;
    const QCPRange range = source->xAxis->range();
    for (QCustomPlot *plot : m_plots) {
        if (plot != source)
            plot->xAxis->setRange(range);
    }
    fitValueAxes();
    for (QCustomPlot *plot : m_plots)
        requestReplot(plot);
    m_syncing = false;
}

void CurvesView::fitValueAxes()
{
    for (QCustomPlot *plot : {m_lossPlot, m_lrPlot, m_otherPlot})
        runplot::fitValueAxes(plot);
    m_scores->fitValueAxes(); // percent within 0..100
}

void CurvesView::replotAll()
{
    runplot::placeLegend(m_lossPlot, true);
    runplot::placeLegend(m_lrPlot, false); // one curve; the axis label names it
    for (QCustomPlot *plot : m_plots)
        requestReplot(plot);
}

} // namespace slim::ui
