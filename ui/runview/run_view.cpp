#include "runview/run_view.h"

#include "routing/cluster_drift_view.h"
#include "routing/routing_view.h"
#include "runview/curves_view.h"
#include "runview/details_view.h"
#include "runview/forgetting_view.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QStackedWidget>
#include <QTabWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <limits>

namespace slim::ui {

namespace {

constexpr int kDrainIntervalMs = 40;

bool isLive(store::RunStatus status)
{
    return status == store::RunStatus::Queued || status == store::RunStatus::Running;
}

QString statusStyle(store::RunStatus status)
{
    QString background;
    switch (status) {
    case store::RunStatus::Queued:
        background = QStringLiteral("#7f7f7f");
        break;
    case store::RunStatus::Running:
        background = QStringLiteral("#1f77b4");
        break;
    case store::RunStatus::Succeeded:
        background = QStringLiteral("#2ca02c");
        break;
    case store::RunStatus::Failed:
        background = QStringLiteral("#d62728");
        break;
    case store::RunStatus::Cancelled:
        background = QStringLiteral("#8c564b");
        break;
    case store::RunStatus::Interrupted:
        background = QStringLiteral("#ff7f0e");
        break;
    }
    return QStringLiteral("QLabel { color: white; background: %1; border-radius: 3px;"
                          " padding: 1px 8px; font-weight: bold; }")
        .arg(background);
}

} // namespace

RunView::RunView(services::MetricStream *stream, QWidget *parent)
    : QWidget(parent)
    , m_stream(stream)
    , m_stack(new QStackedWidget)
    , m_placeholder(new QLabel)
    , m_name(new QLabel)
    , m_method(new QLabel)
    , m_statusLabel(new QLabel)
    , m_progress(new QProgressBar)
    , m_tabs(new QTabWidget)
    , m_curves(new CurvesView)
    , m_routing(new RoutingView)
    , m_clusters(new ClusterDriftView)
    , m_forgetting(new ForgettingView)
    , m_details(new DetailsView)
{
    m_placeholder->setObjectName(QStringLiteral("runViewPlaceholder"));
    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setWordWrap(true);
    m_placeholder->setStyleSheet(QStringLiteral("color: #5a5a5a; font-size: 11pt;"));

    m_name->setObjectName(QStringLiteral("runName"));
    QFont nameFont = m_name->font();
    nameFont.setPointSizeF(nameFont.pointSizeF() * 1.3);
    nameFont.setBold(true);
    m_name->setFont(nameFont);
    m_name->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_method->setObjectName(QStringLiteral("runMethod"));
    m_method->setStyleSheet(QStringLiteral("QLabel { border: 1px solid palette(mid);"
                                           " border-radius: 3px; padding: 1px 6px; }"));
    m_statusLabel->setObjectName(QStringLiteral("runStatus"));
    m_progress->setObjectName(QStringLiteral("runProgress"));
    m_progress->setFixedWidth(280);
    m_progress->setTextVisible(true);

    auto *header = new QHBoxLayout;
    header->setContentsMargins(4, 2, 4, 2);
    header->setSpacing(10);
    header->addWidget(m_name);
    header->addWidget(m_method);
    header->addWidget(m_statusLabel);
    header->addStretch(1);
    header->addWidget(m_progress);

    m_tabs->setObjectName(QStringLiteral("runTabs"));
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(m_curves, QStringLiteral("Curves"));
    m_tabs->addTab(m_routing, QStringLiteral("Routing"));
    m_tabs->addTab(m_clusters, QStringLiteral("Clusters"));
    m_tabs->addTab(m_forgetting, QStringLiteral("Forgetting"));
    m_tabs->addTab(m_details, QStringLiteral("Details"));
    connect(m_details, &DetailsView::checkpointPinRequested, this,
            &RunView::checkpointPinRequested);
    connect(m_details, &DetailsView::pruneRequested, this, &RunView::pruneRequested);

    auto *content = new QWidget;
    auto *contentLayout = new QVBoxLayout(content);
    contentLayout->setContentsMargins(0, 0, 0, 0);
    contentLayout->addLayout(header);
    contentLayout->addWidget(m_tabs, 1);

    m_stack->addWidget(m_placeholder);
    m_stack->addWidget(content);
    auto *root = new QVBoxLayout(this);
    root->setContentsMargins(0, 0, 0, 0);
    root->addWidget(m_stack);

    m_drainTimer.setInterval(kDrainIntervalMs);
    connect(&m_drainTimer, &QTimer::timeout, this, &RunView::drainLive);
    clear();
}

RunView::~RunView()
{
    unsubscribe();
}

void RunView::subscribe(std::int64_t runId)
{
    unsubscribe();
    if (!m_stream)
        return;
    m_subscription = m_stream->subscribe(runId);
    m_subscribedRun = runId;
    m_drainTimer.start();
}

void RunView::unsubscribe()
{
    m_drainTimer.stop();
    if (m_subscription && m_stream)
        m_stream->unsubscribe(*m_subscription);
    m_subscription.reset();
    m_subscribedRun = 0;
}

void RunView::watchRun(std::int64_t runId)
{
    if (!(m_subscription && m_subscribedRun == runId))
        subscribe(runId);
    if (!m_detail || m_detail->record.id != runId) {
        m_runId = runId;
        m_detail.reset();
        showPlaceholder(QStringLiteral("Loading run #%1…").arg(runId));
    }
}

void RunView::setDetail(const services::RunDetailPtr &detail)
{
    if (!detail) {
        clear();
        return;
    }
    const auto &record = detail->record;
    if (isLive(record.status)) {
        // Subscribing only now (watchRun was not called) may miss rows recorded between the
        // read and this call; they reappear on the next full load.
        if (!(m_subscription && m_subscribedRun == record.id))
            subscribe(record.id);
    } else {
        unsubscribe();
    }
    m_runId = record.id;
    m_detail = detail;
    m_staleReported = false;
    m_status = record.status;
    m_step = record.currentStep;
    m_totalSteps = record.totalSteps;
    m_error = QString::fromStdString(record.errorMessage);
    m_name->setText(QString::fromStdString(record.name));
    m_name->setToolTip(QStringLiteral("Run #%1").arg(record.id));
    m_method->setText(QString::fromStdString(record.method));
    updateHeader();

    m_curves->setDetail(detail);
    m_routing->setDetail(detail);
    m_clusters->setDetail(detail);
    m_forgetting->setDetail(detail);
    m_details->setDetail(detail);
    m_stack->setCurrentIndex(1);
}

void RunView::setRecord(const store::RunSummary &summary)
{
    if (!m_detail || summary.id != m_runId)
        return;
    const bool wasLive = isLive(m_status);
    m_status = summary.status;
    m_step = std::max(m_step, summary.currentStep);
    m_totalSteps = summary.totalSteps;
    m_error = QString::fromStdString(summary.errorMessage);
    updateHeader();
    m_details->setRecord(summary);
    if (wasLive && store::isTerminal(summary.status)) {
        drainLive(); // the last increments before the owner reloads
        Q_EMIT runFinished(summary.id);
    }
}

void RunView::clear()
{
    unsubscribe();
    m_runId = 0;
    m_detail.reset();
    m_curves->clear();
    m_routing->clear();
    m_clusters->clear();
    m_forgetting->clear();
    m_details->clear();
    showPlaceholder(QStringLiteral("Select a run to see its curves, routing, clusters, "
                                   "forgetting and details."));
}

QString RunView::currentTab() const
{
    return m_tabs->tabText(m_tabs->currentIndex());
}

void RunView::setCurrentTab(const QString &title)
{
    for (int i = 0; i < m_tabs->count(); ++i) {
        if (m_tabs->tabText(i) == title)
            m_tabs->setCurrentIndex(i);
    }
}

void RunView::drainLive()
{
    // Before the watched run's detail arrives, rows stay in the subscription: the tabs would
    // otherwise draw them on the previous run, or twice once the detail replaces everything.
    if (!m_subscription || !m_detail || m_detail->record.id != m_subscribedRun)
        return;
    const services::RunData data = m_stream->drain(*m_subscription);
    if (data.empty())
        return;
    m_curves->appendLive(data);
    m_routing->appendLive(data);
    m_clusters->appendLive(data);
    m_forgetting->appendLive(data);
    const bool liveGeneral = std::any_of(data.evals.begin(), data.evals.end(), [](const auto &e) {
        return e.kind == store::TaskKind::General;
    });
    if (liveGeneral && m_detail->baseScores.empty() && !m_staleReported) {
        m_staleReported = true; // once per loaded detail
        Q_EMIT detailStale(m_detail->record.id);
    }
    // The run list is polled; the metrics say the step sooner.
    std::int64_t step = m_step;
    for (const auto &row : data.metrics)
        step = std::max(step, row.step);
    if (step != m_step) {
        m_step = step;
        if (m_status == store::RunStatus::Queued)
            m_status = store::RunStatus::Running;
        updateHeader();
    }
}

void RunView::showPlaceholder(const QString &text)
{
    m_placeholder->setText(text);
    m_stack->setCurrentIndex(0);
}

void RunView::updateHeader()
{
    const auto status = store::runStatusName(m_status);
    QString statusText = QString::fromUtf8(status.data(), qsizetype(status.size()));
    if (!m_error.isEmpty())
        statusText += QStringLiteral(": ") + m_error;
    m_statusLabel->setText(statusText);
    m_statusLabel->setStyleSheet(statusStyle(m_status));
    m_statusLabel->setToolTip(m_error);
    if (m_totalSteps > 0) {
        m_progress->setRange(
            0, int(std::min<std::int64_t>(m_totalSteps, std::numeric_limits<int>::max())));
        m_progress->setValue(int(std::min(m_step, m_totalSteps)));
        m_progress->setFormat(QStringLiteral("step %1 / %2  (%p%)").arg(m_step).arg(m_totalSteps));
    } else {
        m_progress->setRange(0, 1);
        m_progress->setValue(0);
        m_progress->setFormat(m_status == store::RunStatus::Queued
                                  ? QStringLiteral("waiting to start")
                                  : QStringLiteral("step %1").arg(m_step));
    }
}

} // namespace slim::ui
