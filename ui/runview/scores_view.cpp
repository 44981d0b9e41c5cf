#include "runview/scores_view.h"

#include "common/palette.h"
#include "plot/plot_setup.h"
#include "plot/qcustomplot_include.h"
#include "run_session.h"
#include "runview/runview_support.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QStackedWidget>
#include <QToolButton>
#include <QVBoxLayout>

namespace slim::ui {

namespace {

constexpr int kHeaderHeight = 26;

QCustomPlot *makeScorePlot(const QString &objectName, const QString &exportName)
{
    auto *plot = new QCustomPlot;
    plot->setObjectName(objectName);
    runplot::stylePlot(plot, QString(), QStringLiteral("step"), QStringLiteral("score (%)"));
    plot->yAxis2->setLabel(QStringLiteral("bits per byte"));
    preparePlot(plot, exportName);
    // The header row above stands in for a title: with it, the view is no taller than the
    // other plots of the tab at their minimum.
    plot->setMinimumHeight(plot->minimumHeight() - kHeaderHeight);
    return plot;
}

QToolButton *makePageButton(const QString &objectName, const QString &toolTip)
{
    auto *button = new QToolButton;
    button->setObjectName(objectName);
    button->setCheckable(true);
    button->setAutoRaise(true);
    button->setToolTip(toolTip);
    button->setToolButtonStyle(Qt::ToolButtonTextOnly);
    return button;
}

} // namespace

ScoresView::ScoresView(const services::RunSession *session, QWidget *parent)
    : QWidget(parent)
    , m_session(session)
    , m_stack(new QStackedWidget)
    , m_showBase(new QCheckBox(QStringLiteral("Base model")))
{
    m_downstream.plot
        = makeScorePlot(QStringLiteral("downstreamScorePlot"), QStringLiteral("downstream-scores"));
    m_downstream.button
        = makePageButton(QStringLiteral("downstreamScoresButton"),
                         QStringLiteral("The tasks the run fine-tunes for: higher is better"));
    m_general.plot
        = makeScorePlot(QStringLiteral("generalScorePlot"), QStringLiteral("general-scores"));
    m_general.button = makePageButton(
        QStringLiteral("generalScoresButton"),
        QStringLiteral("The general suite: what the base model could do, and the run may forget "
                       "(see the Forgetting tab for the change against the base model)"));
    auto *group = new QButtonGroup(this);
    group->setExclusive(true);
    for (Page *p : {&m_downstream, &m_general}) {
        p->empty = runplot::addCentredText(p->plot);
        group->addButton(p->button);
        m_stack->addWidget(p->plot);
    }
    m_downstream.button->setChecked(true);

    m_showBase->setObjectName(QStringLiteral("showBaseScores"));
    m_showBase->setToolTip(QStringLiteral("The base model's score on the same items, scoring "
                                          "mode and template, hollow in the task's colour: "
                                          "squares on a dotted line for the probe subset, a "
                                          "diamond for the full test set"));
    auto *markers = new QLabel(QStringLiteral("● probe subset   ◆ final, full test set"));
    markers->setStyleSheet(palette::textStyle(palette::mutedText()));
    markers->setToolTip(QStringLiteral("Probe evaluations during training use a fixed subset of "
                                       "each task's test items (noisier); the final evaluation "
                                       "uses the full test set."));

    auto *headerRow = new QWidget;
    headerRow->setFixedHeight(kHeaderHeight);
    auto *header = new QHBoxLayout(headerRow);
    header->setContentsMargins(4, 0, 4, 0);
    header->setSpacing(4);
    header->addWidget(new QLabel(QStringLiteral("<b>Primary scores</b>")));
    header->addSpacing(6);
    header->addWidget(m_downstream.button);
    header->addWidget(m_general.button);
    header->addSpacing(10);
    header->addWidget(m_showBase);
    header->addStretch(1);
    header->addWidget(markers);

    auto *root = new QVBoxLayout(this);
    root->setContentsMargins(0, 0, 0, 0);
    root->setSpacing(0);
    root->addWidget(headerRow);
    root->addWidget(m_stack, 1);

    connect(group, &QButtonGroup::buttonClicked, this, [this](QAbstractButton *button) {
        showTasks(button == m_general.button ? Tasks::General : Tasks::Downstream);
    });
    connect(m_showBase, &QCheckBox::toggled, this, [this] {
        fillPlots();
        fitValueAxes();
        for (Page *p : {&m_downstream, &m_general})
            requestReplot(p->plot);
    });
    rebuild();
}

ScoresView::Page &ScoresView::page(Tasks tasks)
{
    return tasks == Tasks::General ? m_general : m_downstream;
}

const ScoresView::Page &ScoresView::page(Tasks tasks) const
{
    return tasks == Tasks::General ? m_general : m_downstream;
}

QCustomPlot *ScoresView::plot(Tasks tasks) const
{
    return page(tasks).plot;
}

ScoresView::Tasks ScoresView::shownTasks() const
{
    return m_stack->currentWidget() == m_general.plot ? Tasks::General : Tasks::Downstream;
}

void ScoresView::showTasks(Tasks tasks)
{
    m_pageChosen = true;
    showPage(tasks);
}

void ScoresView::showPage(Tasks tasks)
{
    page(tasks).button->setChecked(true);
    m_stack->setCurrentWidget(page(tasks).plot);
    fitLegends();
    requestReplot(page(tasks).plot);
}

bool ScoresView::baseShown() const
{
    return m_showBase->isChecked();
}

void ScoresView::setBaseShown(bool shown)
{
    m_showBase->setChecked(shown);
}

void ScoresView::rebuild()
{
    fillPlots();
    if (!m_pageChosen) {
        showPage(m_downstream.taskCount > 0 || m_general.taskCount == 0 ? Tasks::Downstream
                                                                        : Tasks::General);
    }
    for (Page *p : {&m_downstream, &m_general})
        requestReplot(p->plot);
}

void ScoresView::fillPlots()
{
    const bool withBase = m_showBase->isChecked();
    for (Page *p : {&m_downstream, &m_general}) {
        p->plot->clearGraphs();
        p->taskCount = 0;
    }
    bool bitsPerByte[2] = {false, false};
    for (const auto &task : m_session->primaryScores()) {
        const bool general = task.kind == store::TaskKind::General;
        Page &p = general ? m_general : m_downstream;
        QCustomPlot *plot = p.plot;
        // Colours count per page, so a general task has the colour it has in Forgetting.
        const QColor color = palette::series(p.taskCount++);
        const bool perByte = !task.higherIsBetter;
        bitsPerByte[general] = bitsPerByte[general] || perByte;
        QCPAxis *axis = perByte ? plot->yAxis2 : plot->yAxis;
        const double scale = perByte ? 1.0 : 100.0;
        const QString name = QString::fromStdString(task.task);

        QVector<QCPGraphData> probe, finals, baseProbe, baseFinal;
        for (const auto &point : task.points) {
            const double step = double(point.step);
            (point.isFinal ? finals : probe).append(QCPGraphData(step, point.value * scale));
            if (point.base)
                (point.isFinal ? baseFinal : baseProbe)
                    .append(QCPGraphData(step, *point.base * scale));
        }
        auto addPoints = [&](const QString &graphName, const QVector<QCPGraphData> &data,
                             const QPen &pen, const QCPScatterStyle &scatter) {
            auto *graph = plot->addGraph(plot->xAxis, axis);
            graph->setName(graphName);
            graph->setPen(pen);
            graph->setScatterStyle(scatter);
            graph->data()->set(data, true);
            return graph;
        };
        addPoints(perByte ? name + QStringLiteral(" (bits/byte: lower is better)") : name, probe,
                  QPen(color, 2.0),
                  QCPScatterStyle(QCPScatterStyle::ssCircle, color, Qt::white, 6));
        if (!finals.isEmpty()) {
            addPoints(name + QStringLiteral(" final"), finals, Qt::NoPen,
                      QCPScatterStyle(QCPScatterStyle::ssDiamond, color, color, 11))
                ->removeFromLegend();
        }
        if (withBase) {
            // The base model on the same items, hollow in the task's colour: the probe subset's
            // score on a dotted line, the full test set's a diamond beside the final one. The
            // checkbox says what they are, so they take no legend rows.
            addPoints(name + QStringLiteral(" · base model"), baseProbe,
                      QPen(color, 1.4, Qt::DotLine),
                      QCPScatterStyle(QCPScatterStyle::ssSquare, color, Qt::white, 5))
                ->removeFromLegend();
            addPoints(name + QStringLiteral(" · base model, final"), baseFinal, Qt::NoPen,
                      QCPScatterStyle(QCPScatterStyle::ssDiamond, QPen(color, 1.5),
                                      QBrush(Qt::white), 11))
                ->removeFromLegend();
        }
    }
    for (Page *p : {&m_downstream, &m_general}) {
        const bool general = p == &m_general;
        p->plot->yAxis2->setVisible(bitsPerByte[general]);
        p->empty->setText(general ? QStringLiteral("No general-suite evaluation yet")
                                  : QStringLiteral("No downstream evaluation yet"));
        p->empty->setVisible(p->taskCount == 0);
        runplot::placeLegend(p->plot, true);
        p->button->setText(general ? QStringLiteral("General (%1)").arg(p->taskCount)
                                   : QStringLiteral("Downstream (%1)").arg(p->taskCount));
    }
    fitLegends();
}

void ScoresView::fitValueAxes()
{
    for (Page *p : {&m_downstream, &m_general}) {
        runplot::fitValueAxes(p->plot);
        // Percent stays within 0..100, with room for the markers at either end.
        QCPAxis *percent = p->plot->yAxis;
        percent->setRange(std::max(percent->range().lower, -2.0),
                          std::min(percent->range().upper, 102.0));
    }
}

void ScoresView::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    fitLegends();
}

void ScoresView::fitLegends()
{
    for (Page *p : {&m_downstream, &m_general})
        runplot::fitLegendColumns(p->plot, m_stack->width());
}

} // namespace slim::ui
