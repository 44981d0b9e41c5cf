#include "routing_view.h"

#include "common/palette.h"

#include "common/refresh_when_visible.h"
#include "plot/plot_setup.h"
#include "routing_heatmap.h"
#include "routing_plot_style.h"
#include "run_session.h"
#include "step_scrubber.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSplitter>
#include <QStackedWidget>
#include <QVBoxLayout>

#include <cmath>
#include <set>

namespace slim::ui {

namespace {

// Methods whose adapters route tokens (the run spec's mixture methods).
bool hasRouter(const std::string &method)
{
    static const std::set<std::string> routed
        = {"slim", "mixlora", "mixlora-dy", "loramoe", "mola"};
    return routed.count(method) > 0;
}

// Layer ticks at layer indices, labelled with model layer numbers, at most ~16 labels.
QSharedPointer<QCPAxisTickerText> layerTicker(const std::vector<std::int64_t> &layers)
{
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    const int stride = std::max(1, (int(layers.size()) + 15) / 16);
    for (std::size_t l = 0; l < layers.size(); l += std::size_t(stride))
        ticker->addTick(double(l), QString::number(layers[l]));
    return ticker;
}

QLabel *controlLabel(const QString &text, QWidget *buddy)
{
    auto *label = new QLabel(text);
    label->setBuddy(buddy);
    return label;
}

} // namespace

RoutingView::RoutingView(const services::RunSession *session, QWidget *parent)
    : QWidget(parent)
    , m_session(session)
    , m_stack(new QStackedWidget(this))
    , m_empty(new QLabel(this))
    , m_probe(new QComboBox(this))
    , m_siteCombo(new QComboBox(this))
    , m_colour(new QComboBox(this))
    , m_scrubber(new StepScrubber(this))
    , m_heatmap(new RoutingHeatmap(this))
    , m_liveRefresh(new RefreshWhenVisible(this, [this] { refreshChoices(false); }))
{
    auto *content = new QWidget(this);
    auto *layout = new QVBoxLayout(content);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(buildControls());
    auto *identity = new QSplitter(Qt::Vertical, content);
    identity->addWidget(buildIdentityBars());
    identity->addWidget(buildIdentityTrend());
    auto *split = new QSplitter(Qt::Horizontal, content);
    split->addWidget(m_heatmap);
    split->addWidget(identity);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    layout->addWidget(split, 1);

    stackWithEmptyState(this, m_stack, m_empty, content);

    connect(m_probe, &QComboBox::currentIndexChanged, this, [this] { refreshChoices(false); });
    connect(m_siteCombo, &QComboBox::currentIndexChanged, this, [this] { showSelection(false); });
    connect(m_colour, &QComboBox::currentIndexChanged, this, [this] { showSelection(false); });
    connect(m_scrubber, &StepScrubber::currentStepChanged, this, &RoutingView::showStep);
    connect(m_session, &services::RunSession::detailChanged, this, &RoutingView::reload);
    connect(m_session, &services::RunSession::liveMerged, this,
            [this](const services::LiveUpdate &update) {
                if (update.routingChanged)
                    m_liveRefresh->request();
            });
    reload();
}

QWidget *RoutingView::buildControls()
{
    m_probe->setObjectName(QStringLiteral("probeCombo"));
    m_probe->setToolTip(QStringLiteral("Inputs the statistics were measured on: training batches "
                                       "or the general / downstream evaluation probes"));
    m_siteCombo->setObjectName(QStringLiteral("siteCombo"));
    m_siteCombo->setToolTip(QStringLiteral("Where the router sits: the MLP block, or one "
                                           "projection for per-projection routers"));
    m_colour->setObjectName(QStringLiteral("colourCombo"));
    m_colour->addItem(QStringLiteral("Mean routing weight"));
    m_colour->addItem(QStringLiteral("Selection share"));
    m_colour->setToolTip(QStringLiteral("Mean routing weight: the gate value an expert gets, "
                                        "averaged over tokens.\nSelection share: the share of "
                                        "tokens whose chosen experts include it."));
    auto *controls = new QWidget(this);
    auto *row = new QHBoxLayout(controls);
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(controlLabel(QStringLiteral("&Probe"), m_probe));
    row->addWidget(m_probe);
    row->addSpacing(8);
    row->addWidget(controlLabel(QStringLiteral("&Site"), m_siteCombo));
    row->addWidget(m_siteCombo);
    row->addSpacing(8);
    row->addWidget(controlLabel(QStringLiteral("&Colour"), m_colour));
    row->addWidget(m_colour);
    row->addSpacing(16);
    row->addWidget(m_scrubber, 1);
    return controls;
}

QCustomPlot *RoutingView::buildIdentityBars()
{
    m_bars = new QCustomPlot(this);
    m_bars->setObjectName(QStringLiteral("identityBars"));
    stylePlot(m_bars);
    m_barsTitle = addPlotTitle(m_bars, QStringLiteral("Identity routing per layer"));
    m_massBars = new QCPBars(m_bars->xAxis, m_bars->yAxis);
    m_massBars->setName(QStringLiteral("Identity mass"));
    m_massBars->setPen(Qt::NoPen);
    m_massBars->setBrush(identityColour());
    m_rateBars = new QCPBars(m_bars->xAxis, m_bars->yAxis);
    m_rateBars->setName(QStringLiteral("Tokens routed only to identity"));
    m_rateBars->setPen(Qt::NoPen);
    m_rateBars->setBrush(identityColour().lighter(165));
    auto *group = new QCPBarsGroup(m_bars);
    group->setSpacing(0);
    for (QCPBars *bars : {m_massBars, m_rateBars}) {
        bars->setWidth(0.38);
        bars->setBarsGroup(group);
    }
    m_bars->xAxis->setLabel(QStringLiteral("Layer"));
    m_bars->xAxis->setSubTicks(false);
    m_bars->xAxis->grid()->setVisible(false);
    m_bars->yAxis->setLabel(QStringLiteral("Share (0–1)"));
    placeLegendBelow(m_bars, 2);
    m_bars->setToolTip(QStringLiteral("Identity mass: mean routing weight on identity experts.\n"
                                      "Tokens routed only to identity: share of tokens whose "
                                      "chosen experts are all identity experts."));
    preparePlot(m_bars, QStringLiteral("identity_routing_per_layer"));
    return m_bars;
}

QCustomPlot *RoutingView::buildIdentityTrend()
{
    m_trend = new QCustomPlot(this);
    m_trend->setObjectName(QStringLiteral("identityTrend"));
    stylePlot(m_trend);
    addPlotTitle(m_trend, QStringLiteral("Identity mass over training"));
    m_trend->xAxis->setLabel(QStringLiteral("Step"));
    m_trend->yAxis->setLabel(QStringLiteral("Identity mass"));
    m_trendCursor = new QCPItemStraightLine(m_trend);
    m_trendCursor->setPen(QPen(palette::cursor(), 1, Qt::DashLine));
    placeLegendBelow(m_trend, 4);
    preparePlot(m_trend, QStringLiteral("identity_mass_over_steps"));
    return m_trend;
}

void RoutingView::reload()
{
    m_heatmap->setSite(nullptr, RoutingHeatmap::Colour::MeanWeight, {});
    m_site = nullptr;
    refreshChoices(true);
}

void RoutingView::refreshChoices(bool toLatest)
{
    auto refill = [](QComboBox *combo, const std::vector<std::string> &names) {
        const QSignalBlocker block(combo);
        const QString previous = combo->currentText();
        combo->clear();
        for (const auto &name : names)
            combo->addItem(QString::fromStdString(name));
        combo->setCurrentIndex(std::max(0, combo->findText(previous)));
        combo->setEnabled(combo->count() > 1);
    };
    const auto &index = m_session->routing();
    refill(m_probe, index.probes());
    refill(m_siteCombo, index.sites(m_probe->currentText().toStdString()));
    showSelection(toLatest);
}

void RoutingView::showSelection(bool toLatest)
{
    showEmptyState();
    const QString probe = m_probe->currentText(), site = m_siteCombo->currentText();
    m_site = m_session->routing().site(probe.toStdString(), site.toStdString());
    const auto colour = m_colour->currentIndex() == 1 ? RoutingHeatmap::Colour::SelectionShare
                                                      : RoutingHeatmap::Colour::MeanWeight;
    m_heatmap->setSite(m_site, colour, QStringLiteral("%1 · %2").arg(probe, site));
    m_trend->clearGraphs();
    if (!m_site) {
        m_scrubber->setSteps({});
        return;
    }

    const auto &layers = m_site->layers;
    const int layerCount = int(layers.size());
    m_bars->xAxis->setTicker(layerTicker(layers));
    m_bars->xAxis->setRange(-0.6, layerCount - 0.4);
    m_bars->yAxis->setRange(0, std::clamp(m_site->maxIdentityRate * 1.2, 0.05, 1.05));

    // One line per layer; a legend while it stays readable, else the colour order says it.
    const auto steps = m_site->stepList();
    for (int l = 0; l < layerCount; ++l) {
        QVector<double> keys, values;
        keys.reserve(int(steps.size()));
        values.reserve(int(steps.size()));
        for (const auto &[step, cells] : m_site->steps) {
            keys.push_back(double(step));
            values.push_back(cells.identityMass[std::size_t(l)]);
        }
        QCPGraph *graph = m_trend->addGraph();
        graph->setName(QStringLiteral("Layer %1").arg(layers[std::size_t(l)]));
        graph->setPen(QPen(seriesColour(l, layerCount), 1.6));
        graph->setData(keys, values, true);
        if (steps.size() < 30)
            graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 4));
        if (layerCount > 8)
            graph->removeFromLegend(); // an empty legend row takes no room
    }
    const bool legend = layerCount <= 8;
    m_trend->legend->setVisible(legend);
    auto *title = qobject_cast<QCPTextElement *>(m_trend->plotLayout()->element(0, 0));
    title->setText(legend ? QStringLiteral("Identity mass over training")
                          : QStringLiteral("Identity mass over training · colour: layer %1 (dark) "
                                           "→ %2 (light)")
                                .arg(layers.front())
                                .arg(layers.back()));
    m_trend->xAxis->setRange(stepAxisRange(double(steps.front()), double(steps.back())));
    m_trend->yAxis->setRange(0, std::clamp(m_site->maxIdentityRate * 1.15, 0.05, 1.05));

    m_scrubber->setSteps(steps, toLatest);
    showStep();
}

void RoutingView::showStep()
{
    const auto step = m_scrubber->currentStep();
    if (!m_site || !step)
        return;
    m_heatmap->showStep(*step);
    QVector<double> keys, mass, rate;
    const auto it = m_site->steps.find(*step);
    if (it != m_site->steps.end()) {
        for (std::size_t l = 0; l < it->second.identityMass.size(); ++l) {
            if (std::isnan(it->second.identityMass[l]))
                continue; // not recorded for this layer: no bar rather than a zero bar
            keys.push_back(double(l));
            mass.push_back(it->second.identityMass[l]);
            rate.push_back(it->second.fullIdentityRate[l]);
        }
    }
    m_massBars->setData(keys, mass, true);
    m_rateBars->setData(keys, rate, true);
    const bool identity = std::find(m_site->identity.begin(), m_site->identity.end(), true)
        != m_site->identity.end();
    m_barsTitle->setText(identity
                             ? QStringLiteral("Identity routing per layer · step %1").arg(*step)
                             : QStringLiteral("Identity routing per layer · this router has "
                                              "no identity experts"));
    m_trendCursor->point1->setCoords(double(*step), 0);
    m_trendCursor->point2->setCoords(double(*step), 1);
    requestReplot(m_bars);
    requestReplot(m_trend);
}

void RoutingView::showEmptyState()
{
    if (!m_session->routing().empty()) {
        m_stack->setCurrentIndex(1);
        return;
    }
    const auto &method = m_session->record().method;
    if (!m_session->hasDetail())
        m_empty->setText(QStringLiteral("No run loaded."));
    else if (hasRouter(method))
        m_empty->setText(QStringLiteral("No routing statistics recorded yet. They appear at the "
                                        "run's first logging step."));
    else
        m_empty->setText(QStringLiteral("This method has no router (LoRA, DoRA, full "
                                        "fine-tuning)"));
    m_stack->setCurrentIndex(0);
}

} // namespace slim::ui
