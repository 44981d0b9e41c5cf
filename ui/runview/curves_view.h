#pragma once
// The "Curves" tab of the Run view: losses, learning rate, each task's primary score
// (ScoresView) and any other logged metric over optimizer steps, for a loaded run and live
// while it trains. Drawn from a RunSession: everything again when its detail changes; live
// metric rows appended as the session merges them (the session drops rows it already held),
// redrawn once per drain and not at all while the tab is hidden (it catches up when shown).
// The plots share the step axis: dragging or zooming one moves all.
// GUI thread only; the session is not owned and must outlive the view.

#include "plot/qcustomplot_include.h"

#include <QSet>
#include <QSharedPointer>
#include <QString>
#include <QStringList>
#include <QWidget>

#include <map>
#include <vector>

class QCheckBox;
class QListWidget;

namespace slim::services {
class RunSession;
struct LiveUpdate;
} // namespace slim::services

namespace slim::ui {

class RefreshWhenVisible;
class ScoresView;

class CurvesView : public QWidget
{
    Q_OBJECT
public:
    explicit CurvesView(const services::RunSession *session, QWidget *parent = nullptr);
    ~CurvesView() override;

    // Plots, for tests and export: losses ("loss/*", nats/token), learning rate, the metrics
    // ticked in the picker, and the primary scores (downstream and general plots).
    QCustomPlot *lossPlot() const { return m_lossPlot; }
    QCustomPlot *lrPlot() const { return m_lrPlot; }
    QCustomPlot *otherPlot() const { return m_otherPlot; }
    ScoresView *scores() const { return m_scores; }

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
        QCPGraph *graph = nullptr; // null while an "other" metric is not shown
    };

    static Target targetOf(const QString &name);
    // The series of `name`, made on first use with its graphs (loss/lr) or picker entry.
    Series &ensureSeries(const QString &name, bool withBand);
    void addGraphs(const QString &name, Series &series, QCustomPlot *plot, QCPAxis *valueAxis,
                   const QColor &color);
    void reload(); // the session's detail changed
    void appendLive(const services::LiveUpdate &update);
    void clearPlots();
    void rebuildOtherPlot();
    void refreshEmptyTexts();
    void resetRanges();
    void resetRangesIfFollowing();
    void syncKeyRange(QCustomPlot *source);
    void fitValueAxes(); // of every plot, to the data in the shared key range
    void replotAll();
    void redrawLive(); // after appendLive, once the view is visible

    const services::RunSession *m_session;
    QCustomPlot *m_lossPlot;
    QCustomPlot *m_lrPlot;
    QCustomPlot *m_otherPlot;
    ScoresView *m_scores;
    std::vector<QCustomPlot *> m_plots; // every plot on the shared step axis
    QCPItemText *m_lossEmpty;
    QCPItemText *m_lrEmpty;
    QCPItemText *m_otherEmpty;
    QListWidget *m_picker;
    QCheckBox *m_logScale;
    RefreshWhenVisible *m_liveRefresh;

    // Plot containers of each metric, filled from the session (no rows of their own).
    std::map<QString, Series> m_series;
    QSet<QString> m_shownMetrics; // ticked in the picker; kept across runs and reloads
    bool m_otherDirty = false; // a ticked metric appeared: the other plot needs its graph
    bool m_scoresDirty = false; // live evals arrived: the scores need rebuilding
    bool m_followLive = true; // key ranges track new data until the user drags or zooms
    bool m_syncing = false;
};

} // namespace slim::ui
