#include "compare_view.h"

#include "common/palette.h"
#include "compare/compare_warnings.h"
#include "compare/config_diff.h"
#include "compare/curves_panel.h"
#include "compare/results_table_export.h"
#include "compare/results_table_panel.h"
#include "compare/tradeoff_plot.h"

#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QStackedWidget>
#include <QStyle>
#include <QTabWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace slim::ui {

CompareView::CompareView(QWidget *parent)
    : QWidget(parent)
    , m_stack(new QStackedWidget(this))
    , m_banner(new QFrame(this))
    , m_bannerText(new QLabel(m_banner))
    , m_runsLine(new QLabel(this))
    , m_tabs(new QTabWidget(this))
    , m_tradeoff(new TradeoffPlot(this))
    , m_curves(new CurvesPanel(this))
    , m_configDiff(new ConfigDiffPanel(this))
    , m_resultsTable(new ResultsTablePanel(this))
{
    auto *empty = new QLabel(
        QStringLiteral("Select two or more runs in the Runs list and choose Compare"), this);
    empty->setObjectName(QStringLiteral("compareEmpty"));
    empty->setAlignment(Qt::AlignCenter);
    empty->setWordWrap(true);
    empty->setForegroundRole(QPalette::PlaceholderText);

    m_banner->setObjectName(QStringLiteral("compareWarning"));
    m_banner->setStyleSheet(QStringLiteral(
        "#compareWarning { background: %1; border: 1px solid %2; border-radius: 4px; }"
        "#compareWarning QLabel { color: %3; }")
                              .arg(palette::warningFill().name(), palette::warningBorder().name(),
                                   palette::warningText().name()));
    auto *icon = new QLabel(m_banner);
    icon->setPixmap(style()->standardIcon(QStyle::SP_MessageBoxWarning).pixmap(20, 20));
    icon->setAlignment(Qt::AlignTop);
    m_bannerText->setObjectName(QStringLiteral("compareWarningText"));
    m_bannerText->setWordWrap(true);
    m_bannerText->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *bannerLayout = new QHBoxLayout(m_banner);
    bannerLayout->setContentsMargins(8, 6, 8, 6);
    bannerLayout->addWidget(icon);
    bannerLayout->addWidget(m_bannerText, 1);
    m_banner->hide();

    m_runsLine->setObjectName(QStringLiteral("compareRuns"));
    m_runsLine->setWordWrap(true);
    m_tabs->addTab(m_tradeoff, QStringLiteral("Trade-off"));
    m_tabs->addTab(m_curves, QStringLiteral("Curves"));
    m_tabs->addTab(m_resultsTable, QStringLiteral("Table"));
    m_tabs->addTab(m_configDiff, QStringLiteral("Config diff"));

    auto *exportTable = new QToolButton(this);
    exportTable->setObjectName(QStringLiteral("exportResultsTable"));
    exportTable->setText(QStringLiteral("Export table…"));
    exportTable->setToolTip(QStringLiteral("The methods x tasks table (mean ± sd over seeds) as "
                                           "Markdown, CSV or LaTeX, as slimctl compare --format"));
    connect(exportTable, &QToolButton::clicked, this, [this] { exportResultsTable(this, m_runs); });
    auto *runsRow = new QHBoxLayout;
    runsRow->addWidget(m_runsLine, 1);
    runsRow->addWidget(exportTable);

    auto *content = new QWidget(this);
    auto *contentLayout = new QVBoxLayout(content);
    contentLayout->setContentsMargins(0, 0, 0, 0);
    contentLayout->addWidget(m_banner);
    contentLayout->addLayout(runsRow);
    contentLayout->addWidget(m_tabs, 1);

    m_stack->addWidget(empty);
    m_stack->addWidget(content);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(m_stack);

    connect(m_tradeoff, &TradeoffPlot::runActivated, this, &CompareView::runActivated);
    refresh();
}

QString CompareView::resultsTable(scores::TableFormat format) const
{
    return resultsTableText(m_runs, format);
}

void CompareView::setRuns(const QList<services::RunDetailPtr> &details)
{
    m_runs.clear();
    for (const auto &detail : details) {
        if (!detail)
            continue;
        auto it = std::find_if(m_runs.begin(), m_runs.end(), [&](const ComparedRun &run) {
            return run.detail->record.id == detail->record.id;
        });
        if (it == m_runs.end())
            m_runs.push_back({detail, {}});
        else
            it->detail = detail;
    }
    refresh();
}

void CompareView::addRun(const services::RunDetailPtr &detail)
{
    if (!detail)
        return;
    auto it = std::find_if(m_runs.begin(), m_runs.end(), [&](const ComparedRun &run) {
        return run.detail->record.id == detail->record.id;
    });
    if (it == m_runs.end())
        m_runs.push_back({detail, {}});
    else
        it->detail = detail; // a reload of a run already shown (it finished, say)
    refresh();
}

void CompareView::clear()
{
    m_runs.clear();
    refresh();
}

QList<std::int64_t> CompareView::runIds() const
{
    QList<std::int64_t> ids;
    for (const auto &run : m_runs)
        ids << run.detail->record.id;
    return ids;
}

QColor CompareView::colourOf(std::int64_t runId) const
{
    for (const auto &run : m_runs)
        if (run.detail->record.id == runId)
            return run.colour;
    return {};
}

void CompareView::refresh()
{
    // Ordered by id, coloured by position: the same selection looks the same however its
    // details arrived.
    std::sort(m_runs.begin(), m_runs.end(), [](const ComparedRun &a, const ComparedRun &b) {
        return a.detail->record.id < b.detail->record.id;
    });
    QStringList names;
    std::vector<services::RunDetailPtr> details;
    for (int i = 0; i < int(m_runs.size()); ++i) {
        m_runs[i].colour = palette::series(i);
        details.push_back(m_runs[i].detail);
        names << QStringLiteral("<span style=\"color:%1\">&#9679;</span>&nbsp;%2")
                     .arg(m_runs[i].colour.name(),
                          runLabel(m_runs[i].detail->record).toHtmlEscaped());
    }
    m_stack->setCurrentIndex(m_runs.empty() ? 0 : 1);
    m_runsLine->setText(QStringLiteral("Comparing %1: %2")
                            .arg(m_runs.size() == 1 ? QStringLiteral("1 run")
                                                    : QStringLiteral("%1 runs").arg(m_runs.size()),
                                 names.join(QStringLiteral("&nbsp;&nbsp; "))));

    m_warnings = comparabilityWarnings(details);
    m_bannerText->setText(m_warnings.join(QLatin1Char('\n')));
    m_banner->setVisible(!m_warnings.isEmpty());

    m_tradeoff->setRuns(m_runs);
    m_curves->setRuns(m_runs);
    m_configDiff->setRuns(m_runs);
    m_resultsTable->setRuns(m_runs);
}

} // namespace slim::ui
