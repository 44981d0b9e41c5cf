#pragma once
// The "Curves" tab of the Run view: losses, learning rate, each task's primary score and any
// other logged metric over optimizer steps, for a loaded run and live while it trains.
// GUI thread only.

#include "plot/qcustomplot_include.h"
#include "run_data.h"

#include <QSet>
#include <QSharedPointer>
#include <QString>
#include <QStringList>
#include <QWidget>

#include <cstdint>
#include <map>

class QCheckBox;
class QListWidget;

namespace slim::ui {

class RefreshWhenVisible;

class CurvesView : public QWidget
{
    Q_OBJECT
public:
    explicit CurvesView(QWidget *parent = nullptr);
    ~CurvesView() override;

    // Replaces everything with the loaded run (downsampled series, evals).
    void setDetail(const services::RunDetailPtr &detail);
    // Appends rows of a live increment: per metric only steps after the last one plotted
    // (rows already loaded from the store are dropped), then one queued replot per plot; while
    // the view is hidden, the redraw waits until it is shown.
    void appendLive(const services::RunData &data);
    void clear();

    // Plots, for tests and export: losses ("loss/*", nats/token), learning rate, primary
    // scores (percent; bits per byte on the right axis) and the metrics ticked in the picker.
    QCustomPlot *lossPlot() const { return m_lossPlot; }
    QCustomPlot *lrPlot() const { return m_lrPlot; }
    QCustomPlot *scorePlot() const { return m_scorePlot; }
    QCustomPlot *otherPlot() const { return m_otherPlot; }

    // The metrics offered in the picker (neither "loss/*" nor "lr"), sorted.
    QStringList otherMetrics() const;
    void setMetricShown(const QString &name, bool shown);
    void setLossLogScale(bool log);

private:
    enum class Target { Loss, Lr, Other };
    struct Series
    {
        QSharedPointer<QCPGraphDataContainer> line; // bucket `last` / live values
        QSharedPointer<QCPGraphDataContainer> low, high; // min..max band; null if never bucketed
        std::int64_t lastStep = 0;
        bool hasStep = false;
        QCPGraph *graph = nullptr; // null while an "other" metric is not shown
    };

    static Target targetOf(const QString &name);
    // The series of `name`, made on first use with its graphs (loss/lr) or picker entry.
    Series &ensureSeries(const QString &name, bool withBand);
    void addGraphs(const QString &name, Series &series, QCustomPlot *plot, QCPAxis *valueAxis,
                   const QColor &color);
    void rebuildOtherPlot();
    void rebuildScores();
    void refreshEmptyTexts();
    void resetRanges();
    void resetRangesIfFollowing();
    void syncKeyRange(QCustomPlot *source);
    void replotAll();
    void redrawLive(); // after appendLive, once the view is visible

    QCustomPlot *m_lossPlot;
    QCustomPlot *m_lrPlot;
    QCustomPlot *m_scorePlot;
    QCustomPlot *m_otherPlot;
    QCPItemText *m_lossEmpty;
    QCPItemText *m_lrEmpty;
    QCPItemText *m_scoreEmpty;
    QCPItemText *m_otherEmpty;
    QListWidget *m_picker;
    QCheckBox *m_logScale;
    RefreshWhenVisible *m_liveRefresh;

    std::map<QString, Series> m_series;
    QSet<QString> m_shownMetrics; // ticked in the picker; kept across runs and reloads
    bool m_otherDirty = false; // a ticked metric appeared: the other plot needs its graph
    bool m_scoresDirty = false; // live evals arrived: the score plot needs rebuilding
    services::RunDetail m_scores; // record, base scores and evals (loaded + live)
    bool m_followLive = true; // key ranges track new data until the user drags or zooms
    bool m_syncing = false;
};

} // namespace slim::ui
