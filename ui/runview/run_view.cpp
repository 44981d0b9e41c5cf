#include "runview/run_view.h"

#include "common/palette.h"

#include "common/status_style.h"
#include "routing/cluster_drift_view.h"
#include "routing/routing_view.h"
#include "run_session.h"
#include "runview/curves_view.h"
#include "runview/details_view.h"
#include "runview/forgetting_view.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QStackedWidget>
#include <QTabWidget>
#include <QVBoxLayout>

#include <limits>

namespace slim::ui {

RunView::RunView(services::MetricStream *stream, QWidget *parent)
    : QWidget(parent)
    , m_session(new services::RunSession(stream, this))
    , m_stack(new QStackedWidget)
    , m_placeholder(new QLabel)
    , m_name(new QLabel)
    , m_method(new QLabel)
    , m_statusLabel(new QLabel)
    , m_progress(new QProgressBar)
    , m_tabs(new QTabWidget)
    , m_curves(new CurvesView(m_session))
    , m_routing(new RoutingView(m_session))
    , m_clusters(new ClusterDriftView(m_session))
    , m_forgetting(new ForgettingView(m_session))
    , m_details(new DetailsView(m_session))
{
    m_placeholder->setObjectName(QStringLiteral("runViewPlaceholder"));
    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setWordWrap(true);
    m_placeholder->setStyleSheet(palette::textStyle(palette::mutedText())
                                 + QStringLiteral(" font-size: 11pt;"));

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

    connect(m_session, &services::RunSession::detailChanged, this, &RunView::showRun);
    connect(m_session, &services::RunSession::recordChanged, this, &RunView::updateHeader);
    connect(m_session, &services::RunSession::liveMerged, this,
            [this](const services::LiveUpdate &update) {
                if (!update.metrics.empty()) // the step moved before the run list says so
                    updateHeader();
            });
    connect(m_session, &services::RunSession::runFinished, this, &RunView::runFinished);
    connect(m_session, &services::RunSession::detailStale, this, &RunView::detailStale);
    showRun();
}

RunView::~RunView()
{
    delete m_stack; // the tabs read the session: they go before it
}

std::int64_t RunView::runId() const
{
    return m_session->runId();
}

bool RunView::isWatching() const
{
    return m_session->isWatching();
}

void RunView::watchRun(std::int64_t runId)
{
    m_session->watch(runId);
}

void RunView::setDetail(const services::RunDetailPtr &detail)
{
    m_session->setDetail(detail);
}

void RunView::setRecord(const store::RunSummary &summary)
{
    m_session->setRecord(summary);
}

void RunView::clear()
{
    m_session->clear();
}

void RunView::showRun()
{
    if (!m_session->hasDetail()) {
        showPlaceholder(m_session->runId() != 0
                            ? QStringLiteral("Loading run #%1…").arg(m_session->runId())
                            : QStringLiteral("Select a run to see its curves, routing, clusters, "
                                             "forgetting and details."));
        return;
    }
    const auto &record = m_session->record();
    m_name->setText(QString::fromStdString(record.name));
    m_name->setToolTip(QStringLiteral("Run #%1").arg(record.id));
    m_method->setText(QString::fromStdString(record.method));
    updateHeader();
    m_stack->setCurrentIndex(1);
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

void RunView::showPlaceholder(const QString &text)
{
    m_placeholder->setText(text);
    m_stack->setCurrentIndex(0);
}

void RunView::updateHeader()
{
    const auto status = m_session->status();
    const auto step = m_session->currentStep();
    const auto totalSteps = m_session->record().totalSteps;
    const auto error = QString::fromStdString(m_session->record().errorMessage);
    const auto name = store::runStatusName(status);
    QString statusText = QString::fromUtf8(name.data(), qsizetype(name.size()));
    if (!error.isEmpty())
        statusText += QStringLiteral(": ") + error;
    m_statusLabel->setText(statusText);
    if (const auto style = statusBadgeStyleSheet(status); m_statusLabel->styleSheet() != style)
        m_statusLabel->setStyleSheet(style); // restyling is not free: live steps land here
    m_statusLabel->setToolTip(error);
    if (totalSteps > 0) {
        m_progress->setRange(
            0, int(std::min<std::int64_t>(totalSteps, std::numeric_limits<int>::max())));
        m_progress->setValue(int(std::min(step, totalSteps)));
        m_progress->setFormat(QStringLiteral("step %1 / %2  (%p%)").arg(step).arg(totalSteps));
    } else {
        m_progress->setRange(0, 1);
        m_progress->setValue(0);
        m_progress->setFormat(status == store::RunStatus::Queued
                                  ? QStringLiteral("waiting to start")
                                  : QStringLiteral("step %1").arg(step));
    }
}

} // namespace slim::ui
