#pragma once
// Overlaid curves of one metric across the compared runs: a recorded series ("loss/lm", "lr",
// ...) or a task's primary score over steps ("score: <task>"), one graph per run in the run's
// colour. GUI thread only.

#include "compare/compared_run.h"

#include <QStringList>
#include <QWidget>

#include <vector>

class QCheckBox;
class QComboBox;
class QCustomPlot;

namespace slim::ui {

class CurvesPanel : public QWidget
{
    Q_OBJECT
public:
    explicit CurvesPanel(QWidget *parent = nullptr);

    // Keeps the chosen metric when the new runs still have it, else picks "loss/lm" or the first.
    void setRuns(const std::vector<ComparedRun> &runs);

    // Series names (sorted), then "score: <task>" for every task any run evaluated.
    QStringList metrics() const;
    QString metric() const;
    void setMetric(const QString &metric);

    QCustomPlot *plot() const { return m_plot; }

    static QString scoreEntry(const QString &task) { return QStringLiteral("score: ") + task; }

private:
    void redraw();
    void drawSeries(const std::string &name);
    void drawScores(const std::string &task);

    QComboBox *m_metric;
    QCheckBox *m_logScale;
    QCustomPlot *m_plot;
    std::vector<ComparedRun> m_runs;
};

} // namespace slim::ui
