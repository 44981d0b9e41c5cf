#pragma once
// What the Run view's tests share: loading a fixture run's detail through a real RunCatalog, and
// reading what a plot shows (graphs by name, their points). Header-only; GUI thread.

#include "fixture_store.h"
#include "plot/qcustomplot_include.h"
#include "run_catalog.h"
#include "run_session.h"
#include "test_artifacts.h"

#include <QList>
#include <QPointF>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QWidget>

#include <cstdint>
#include <string>
#include <vector>

namespace slim::testing {

inline std::int64_t fixtureId(const std::vector<FixtureRun> &runs, const std::string &name)
{
    for (const auto &run : runs) {
        if (run.name == name)
            return run.id;
    }
    return 0;
}

// The run's detail as the catalog reads it (series downsampled to `maxPoints`); null on timeout.
// Details of other requests that arrive meanwhile are skipped.
inline services::RunDetailPtr loadDetail(services::RunCatalog &catalog, std::int64_t id,
                                         int maxPoints = 2000)
{
    QSignalSpy loaded(&catalog, &services::RunCatalog::detailLoaded);
    catalog.requestDetail(id, maxPoints);
    for (int attempt = 0; attempt < 5; ++attempt) {
        if (loaded.isEmpty() && !loaded.wait(10000))
            break;
        for (const auto &args : loaded) {
            auto detail = args.at(0).value<services::RunDetailPtr>();
            if (detail && detail->record.id == id)
                return detail;
        }
        loaded.clear();
    }
    return {};
}

inline QCPGraph *findGraph(QCustomPlot *plot, const QString &name)
{
    for (int i = 0; i < plot->graphCount(); ++i) {
        if (plot->graph(i)->name() == name)
            return plot->graph(i);
    }
    return nullptr;
}

inline QCPGraph *findGraphStarting(QCustomPlot *plot, const QString &prefix)
{
    for (int i = 0; i < plot->graphCount(); ++i) {
        if (plot->graph(i)->name().startsWith(prefix))
            return plot->graph(i);
    }
    return nullptr;
}

inline QList<QPointF> graphPoints(const QCPGraph *graph)
{
    QList<QPointF> out;
    for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it)
        out << QPointF(it->key, it->value);
    return out;
}

// Every plot under `root` drawn now, so grabs and pixel-dependent state are current.
inline void replotAll(QWidget *root)
{
    for (auto *plot : root->findChildren<QCustomPlot *>())
        plot->replot(QCustomPlot::rpImmediateRefresh);
}

// The fixture database (fixture_store.h) written into `dir`, with a catalog reading it.
struct FixtureCatalog
{
    explicit FixtureCatalog(const QTemporaryDir &dir)
        : path(dir.filePath(QStringLiteral("runs.sqlite")))
        , runs(writeFixtureStore(path.toStdString()))
        , catalog(path)
    {}
    std::int64_t id(const std::string &name) const { return fixtureId(runs, name); }
    // The run's detail as the catalog reads it (see loadDetail).
    services::RunDetailPtr detail(const std::string &name, int maxPoints = 2000)
    {
        return loadDetail(catalog, id(name), maxPoints);
    }

    QString path;
    std::vector<FixtureRun> runs;
    services::RunCatalog catalog;
};

// A `View` of the run in `detail`, shown at 1366x640 and drawn, its picture kept as `fileName`
// (test_artifacts.h). False when the window was not exposed or the picture not saved.
template<typename View>
bool grabView(const services::RunDetailPtr &detail, const QTemporaryDir &dir,
              const QString &fileName)
{
    services::RunSession session(nullptr);
    View view(&session);
    view.resize(1366, 640);
    session.setDetail(detail);
    view.show();
    if (!QTest::qWaitForWindowExposed(&view))
        return false;
    replotAll(&view);
    return view.grab().save(artifactPath(dir, fileName));
}

} // namespace slim::testing
