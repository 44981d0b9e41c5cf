#include "compare/results_table_export.h"

#include "common/error_box.h"
#include "run_scores.h"

#include <QFile>
#include <QFileDialog>
#include <QFileInfo>

#include <sstream>

namespace slim::ui {

QString resultsTableText(const std::vector<ComparedRun> &runs, scores::TableFormat format)
{
    std::vector<scores::TableRun> tableRuns;
    for (const auto &run : runs)
        tableRuns.push_back({run.detail->record, services::runScoresOf(*run.detail)});
    std::ostringstream out;
    scores::writeResultsTable(scores::resultsTable(tableRuns), format, out);
    return QString::fromStdString(out.str());
}

void exportResultsTable(QWidget *parent, const std::vector<ComparedRun> &runs)
{
    const QString markdown = QStringLiteral("Markdown (*.md)");
    const QString csv = QStringLiteral("CSV (*.csv)");
    const QString latex = QStringLiteral("LaTeX (*.tex)");
    QString filter = markdown;
    auto path = QFileDialog::getSaveFileName(parent, QStringLiteral("Export the results table"),
                                             QStringLiteral("results.md"),
                                             QStringList {markdown, csv, latex}.join(
                                                 QStringLiteral(";;")),
                                             &filter);
    if (path.isEmpty())
        return;
    const auto suffix = QFileInfo(path).suffix().toLower();
    auto format = filter == csv ? scores::TableFormat::Csv
                  : filter == latex ? scores::TableFormat::Latex
                                    : scores::TableFormat::Markdown;
    if (suffix == QStringLiteral("csv"))
        format = scores::TableFormat::Csv;
    else if (suffix == QStringLiteral("tex"))
        format = scores::TableFormat::Latex;
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)
        || file.write(resultsTableText(runs, format).toUtf8()) < 0) {
        showError(parent, QStringLiteral("Export failed"),
                  QStringLiteral("%1 could not be written.").arg(path), file.errorString());
    }
}

} // namespace slim::ui
