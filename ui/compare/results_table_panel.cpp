#include "compare/results_table_panel.h"

#include "common/table_export.h"
#include "run_scores.h"

#include "scores/results_table.h"

#include <QHeaderView>
#include <QStringList>
#include <QTableWidget>
#include <QVBoxLayout>

namespace slim::ui {

namespace {

QString seedsText(const std::vector<std::int64_t> &seeds)
{
    QStringList parts;
    for (auto seed : seeds)
        parts << QString::number(seed);
    return parts.join(QStringLiteral(", "));
}

} // namespace

ResultsTablePanel::ResultsTablePanel(QWidget *parent)
    : QWidget(parent)
    , m_table(new QTableWidget(this))
{
    m_table->setObjectName(QStringLiteral("resultsTable"));
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    installCsvExport(m_table, QStringLiteral("results"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_table);
}

void ResultsTablePanel::setRuns(const std::vector<ComparedRun> &runs)
{
    std::vector<scores::TableRun> tableRuns;
    for (const auto &run : runs)
        tableRuns.push_back({run.detail->record, services::runScoresOf(*run.detail)});
    const auto results = scores::resultsTable(tableRuns);

    QStringList headers {QStringLiteral("method"), QStringLiteral("seeds")};
    for (const auto &name : scores::resultsHeaders(results))
        headers << QString::fromStdString(name);
    m_table->clear();
    m_table->setColumnCount(int(headers.size()));
    m_table->setHorizontalHeaderLabels(headers);
    m_table->setRowCount(int(results.rows.size()) + (results.base ? 1 : 0)
                         + (results.runStdError ? 1 : 0));

    int rowIndex = 0;
    enum class Kind { Base, Configuration, RunStdError };
    auto addRow = [&](const scores::ResultsRow &row, Kind kind) {
        const bool base = kind != Kind::Configuration;
        const auto tooltip = kind == Kind::Base
            ? QStringLiteral("The base model's scores on the same items")
            : kind == Kind::RunStdError
            ? QStringLiteral("Mean over the runs of each run's own standard error on its "
                             "test items")
            : QStringLiteral("%1 run(s), seeds %2: mean ± sample standard deviation over "
                             "seeds")
                  .arg(row.seeds.size())
                  .arg(seedsText(row.seeds));
        QStringList cells {QString::fromStdString(row.label),
                           base ? QString() : QString::number(row.seeds.size())};
        for (const auto &cell : scores::resultsCells(results, row))
            cells << QString::fromStdString(cell);
        for (int column = 0; column < cells.size(); ++column) {
            auto *item = new QTableWidgetItem(cells[column]);
            item->setToolTip(tooltip);
            if (column > 0)
                item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            if (base) {
                auto font = item->font();
                font.setItalic(true);
                item->setFont(font);
            }
            m_table->setItem(rowIndex, column, item);
        }
        ++rowIndex;
    };
    if (results.base)
        addRow(*results.base, Kind::Base);
    for (const auto &row : results.rows)
        addRow(row, Kind::Configuration);
    if (results.runStdError)
        addRow(*results.runStdError, Kind::RunStdError);
}

} // namespace slim::ui
