#include "compare_warnings.h"

#include "compare/compared_run.h"
#include "run_scores.h"

#include "scores/comparability.h"

namespace slim::ui {

QStringList comparabilityWarnings(const std::vector<services::RunDetailPtr> &runs)
{
    std::vector<scores::ComparedScores> compared;
    for (const auto &detail : runs) {
        if (detail)
            compared.push_back({runLabel(detail->record).toStdString(),
                                services::runScoresOf(*detail),
                                detail->record.datasetHashesJson});
    }
    QStringList warnings;
    for (const auto &finding : scores::comparabilityFindings(compared))
        warnings << QString::fromStdString(finding.message);
    return warnings;
}

} // namespace slim::ui
