#include "curves_panel.h"

#include "common/palette.h"
#include "plot/plot_setup.h"
#include "plot/qcustomplot_include.h"
#include "run_scores.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

#include <limits>
#include <set>

namespace slim::ui {

namespace {

constexpr std::size_t kBoldRunsAtMost = 3; // overlaid runs drawn with a 1.6-px line

QString fromStd(const std::string &s)
{
    return QString::fromStdString(s);
}

} // namespace

CurvesPanel::CurvesPanel(QWidget *parent)
    : QWidget(parent)
    , m_metric(new QComboBox(this))
    , m_logScale(new QCheckBox(QStringLiteral("Log scale"), this))
    , m_plot(new QCustomPlot(this))
{
    m_metric->setObjectName(QStringLiteral("curveMetric"));
    m_metric->setMinimumContentsLength(24);
    m_metric->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_plot->setObjectName(QStringLiteral("curvesPlot"));
    m_plot->setMinimumSize(420, 300);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->xAxis->setLabel(QStringLiteral("step"));
    // The legend sits right of the axis rect: overlaid curves fill the whole rect, and an
    // inset legend would hide some of them.
    m_plot->legend->setVisible(true);
    m_plot->legend->setBorderPen(Qt::NoPen);
    auto *legendColumn = new QCPLayoutGrid;
    m_plot->plotLayout()->addElement(0, 1, legendColumn);
    legendColumn->addElement(0, 0, m_plot->legend);
    legendColumn->addElement(1, 0, new QCPLayoutElement(m_plot)); // pushes the legend up
    legendColumn->setRowStretchFactor(0, 0.001);
    m_plot->plotLayout()->setColumnStretchFactor(1, 0.001);
    preparePlot(m_plot, QStringLiteral("curves"));

    auto *bar = new QHBoxLayout;
    auto *label = new QLabel(QStringLiteral("&Metric:"), this);
    label->setBuddy(m_metric);
    bar->addWidget(label);
    bar->addWidget(m_metric);
    bar->addSpacing(12);
    bar->addWidget(m_logScale);
    bar->addStretch();
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(m_plot, 1);

    connect(m_metric, &QComboBox::currentTextChanged, this, &CurvesPanel::redraw);
    connect(m_logScale, &QCheckBox::toggled, this, &CurvesPanel::redraw);
    connect(m_plot, &QCustomPlot::mouseDoubleClick, this, [this] {
        m_plot->rescaleAxes();
        m_plot->replot();
    });
}

void CurvesPanel::setRuns(const std::vector<ComparedRun> &runs)
{
    m_runs = runs;
    std::set<std::string> series, tasks;
    for (const auto &run : m_runs) {
        for (const auto &[name, buckets] : run.detail->series)
            series.insert(name);
        for (const auto &t : services::primaryScores(*run.detail))
            tasks.insert(t.task);
    }
    QStringList items;
    for (const auto &s : series)
        items << fromStd(s);
    for (const auto &t : tasks)
        items << scoreEntry(fromStd(t));

    const QString previous = m_metric->currentText();
    {
        const QSignalBlocker blocker(m_metric);
        m_metric->clear();
        m_metric->addItems(items);
        QString pick = previous;
        if (!items.contains(pick))
            pick = items.contains(QStringLiteral("loss/lm")) ? QStringLiteral("loss/lm")
                                                             : items.value(0);
        m_metric->setCurrentIndex(items.indexOf(pick));
    }
    redraw();
}

QStringList CurvesPanel::metrics() const
{
    QStringList out;
    for (int i = 0; i < m_metric->count(); ++i)
        out << m_metric->itemText(i);
    return out;
}

QString CurvesPanel::metric() const
{
    return m_metric->currentText();
}

void CurvesPanel::setMetric(const QString &metric)
{
    m_metric->setCurrentIndex(m_metric->findText(metric)); // currentTextChanged redraws
}

void CurvesPanel::redraw()
{
    m_plot->clearPlottables();
    m_plot->clearItems();
    const QString chosen = m_metric->currentText();
    if (chosen.startsWith(scoreEntry({})))
        drawScores(chosen.mid(scoreEntry({}).size()).toStdString());
    else if (!chosen.isEmpty())
        drawSeries(chosen.toStdString());

    const bool log = m_logScale->isChecked();
    m_plot->yAxis->setScaleType(log ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    if (log)
        m_plot->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
    else
        m_plot->yAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
    m_plot->legend->setVisible(m_plot->legend->itemCount() > 0);
    m_plot->rescaleAxes();
    // Breathing room so curves and the final markers do not touch the frame.
    m_plot->xAxis->scaleRange(1.04, m_plot->xAxis->range().center());
    if (!log)
        m_plot->yAxis->scaleRange(1.1, m_plot->yAxis->range().center());
    m_plot->replot();
}

void CurvesPanel::drawSeries(const std::string &name)
{
    m_plot->yAxis->setLabel(fromStd(name));
    // Many overlaid runs are drawn 1 px wide: thin lines keep them apart, and Qt draws 1-px
    // lines on its fast path (10 runs x 2,000 points: 6 ms per replot instead of 15 ms at
    // 1.6 px; bench/gui). A few runs keep the bolder line.
    const double penWidth = m_runs.size() <= kBoldRunsAtMost ? 1.6 : 1.0;
    for (const auto &run : m_runs) {
        const auto it = run.detail->series.find(name);
        if (it == run.detail->series.end())
            continue;
        auto *graph = m_plot->addGraph();
        graph->setName(runLabel(run.detail->record));
        graph->setPen(QPen(run.colour, penWidth));
        QVector<double> steps, values;
        steps.reserve(int(it->second.size()));
        values.reserve(int(it->second.size()));
        // The stored series is downsampled into buckets; the value at each bucket's last step
        // is what a line through the raw series passes through.
        for (const auto &bucket : it->second) {
            steps << double(bucket.lastStep);
            values << bucket.last;
        }
        graph->setData(steps, values, true);
    }
}

void CurvesPanel::drawScores(const std::string &task)
{
    std::set<double> bases;
    QString unit;
    for (const auto &run : m_runs) {
        for (const auto &t : services::primaryScores(*run.detail)) {
            if (t.task != task)
                continue;
            // Fractions are shown in percent; bits per byte as they are.
            const double scale = t.metric == "bits_per_byte" ? 1.0 : 100.0;
            unit = QStringLiteral("%1 %2%3").arg(fromStd(task), fromStd(t.metric),
                                                 scale == 100.0 ? QStringLiteral(" (%)")
                                                                : QString());
            auto *probes = m_plot->addGraph();
            probes->setName(runLabel(run.detail->record));
            probes->setPen(QPen(run.colour, 1.6));
            probes->setScatterStyle(
                QCPScatterStyle(QCPScatterStyle::ssCircle, run.colour, run.colour, 6));
            auto *finals = m_plot->addGraph();
            finals->removeFromLegend();
            finals->setLineStyle(QCPGraph::lsNone);
            finals->setScatterStyle(
                QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(Qt::white, 1.2), run.colour, 12));
            for (const auto &p : t.points) {
                (p.isFinal ? finals : probes)->addData(double(p.step), scale * p.value);
                if (p.isFinal && p.base)
                    bases.insert(scale * *p.base);
            }
        }
    }
    m_plot->yAxis->setLabel(unit.isEmpty() ? fromStd(task) : unit);
    // The base model's final score as a reference line (one per distinct value: runs may
    // have been scored on different splits or templates).
    bool first = true;
    for (const double base : bases) {
        auto *line = m_plot->addGraph(); // a graph, not an item, so it has a legend entry
        line->setPen(QPen(palette::reference(), 1.2, Qt::DashLine));
        line->setName(QStringLiteral("base model"));
        double x0 = std::numeric_limits<double>::max(), x1 = std::numeric_limits<double>::lowest();
        for (int i = 0; i < m_plot->graphCount() - 1; ++i) {
            bool found = false;
            const auto range = m_plot->graph(i)->getKeyRange(found);
            if (found) {
                x0 = std::min(x0, range.lower);
                x1 = std::max(x1, range.upper);
            }
        }
        if (x0 > x1)
            x0 = x1 = 0;
        line->setData({x0, x1}, {base, base});
        if (!first)
            line->removeFromLegend();
        first = false;
    }
}

} // namespace slim::ui
