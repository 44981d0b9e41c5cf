#include "cluster_projection_plot.h"

#include "common/palette.h"

#include "pca.h"
#include "plot/plot_setup.h"
#include "routing_plot_style.h"

#include <algorithm>
#include <map>

namespace slim::ui {

namespace {

// The axis range over `values` with a margin; a flat direction gets the other axis' span, so a
// cloud without a second dimension is drawn as a line in the middle rather than blown up noise.
QCPRange paddedRange(double lo, double hi, double fallbackSpan)
{
    double span = hi - lo;
    if (span <= 1e-12 * std::max({std::abs(lo), std::abs(hi), 1.0}))
        span = fallbackSpan > 0 ? fallbackSpan : 1.0;
    const double mid = 0.5 * (lo + hi);
    return QCPRange(mid - 0.58 * span, mid + 0.58 * span);
}

} // namespace

ClusterProjectionPlot::ClusterProjectionPlot(QWidget *parent)
    : QCustomPlot(parent)
{
    setObjectName(QStringLiteral("pcaPlot"));
    stylePlot(this);
    m_title = addPlotTitle(this, QStringLiteral("Centre trajectories (PCA)"));
    xAxis->setLabel(QStringLiteral("PC1"));
    yAxis->setLabel(QStringLiteral("PC2"));
    placeLegendBelow(this, 8);
    m_message = new QCPItemText(this);
    m_message->position->setType(QCPItemPosition::ptAxisRectRatio);
    m_message->position->setCoords(0.5, 0.5);
    m_message->setColor(palette::reference());
    m_message->setVisible(false);
    setToolTip(QStringLiteral("Each line is one cluster's centre over the recorded steps, "
                              "projected onto the two directions along which the centres of "
                              "this layer vary most."));
    preparePlot(this, QStringLiteral("cluster_centre_trajectories"));
}

void ClusterProjectionPlot::setLayer(const services::ClusterIndex *index, std::int64_t layer)
{
    const auto *centres = index ? index->centres(layer) : nullptr;
    const std::uint64_t revision = index ? index->centreRevision(layer) : 0;
    if (index == m_index && layer == m_layer && revision == m_revision && index)
        return;
    m_index = index;
    m_layer = layer;
    m_revision = revision;
    clearPlottables();
    m_tracks.clear();
    m_explained = {0, 0};
    m_title->setText(index ? QStringLiteral("Centre trajectories (PCA) · layer %1").arg(layer)
                           : QStringLiteral("Centre trajectories (PCA)"));
    if (!centres) {
        showMessage(QStringLiteral("No centre snapshots for this layer"));
        return;
    }
    fit(*centres);
}

void ClusterProjectionPlot::fit(const services::ClusterIndex::CentreSteps &centres)
{
    std::vector<const float *> rows;
    std::vector<std::pair<std::int64_t, std::int64_t>> labels; // step, cluster per row
    std::size_t dim = 0;
    for (const auto &[step, clusters] : centres) {
        for (const auto &[cluster, row] : clusters) {
            if (dim == 0)
                dim = row->centre.size();
            if (dim == 0 || row->centre.size() != dim)
                continue; // a snapshot of another width is not comparable
            rows.push_back(row->centre.data());
            labels.emplace_back(step, cluster);
        }
    }
    if (rows.size() < 2 || dim == 0) {
        showMessage(QStringLiteral("Not enough centre snapshots for a projection"));
        return;
    }
    const PrincipalPlane plane = principalPlane(rows, dim);
    m_explained = plane.explained();

    std::map<std::int64_t, std::size_t> trackOf;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto [step, cluster] = labels[i];
        auto [it, added] = trackOf.try_emplace(cluster, m_tracks.size());
        if (added)
            m_tracks.push_back(Track {cluster, {}, {}, {}, nullptr, nullptr});
        Track &track = m_tracks[it->second];
        track.steps.push_back(step);
        track.x.push_back(plane.coords[i][0]);
        track.y.push_back(plane.coords[i][1]);
    }
    double xLo = 0, xHi = 0, yLo = 0, yHi = 0;
    for (const auto &c : plane.coords) {
        xLo = std::min(xLo, c[0]);
        xHi = std::max(xHi, c[0]);
        yLo = std::min(yLo, c[1]);
        yHi = std::max(yHi, c[1]);
    }
    xAxis->setRange(paddedRange(xLo, xHi, yHi - yLo));
    yAxis->setRange(paddedRange(yLo, yHi, xHi - xLo));
    xAxis->setLabel(QStringLiteral("PC1 (%1% var)").arg(100.0 * m_explained[0], 0, 'f', 1));
    yAxis->setLabel(QStringLiteral("PC2 (%1% var)").arg(100.0 * m_explained[1], 0, 'f', 1));

    const int count = int(m_tracks.size());
    for (int k = 0; k < count; ++k) {
        Track &track = m_tracks[std::size_t(k)];
        const QColor colour = seriesColour(k, count);
        track.line = new QCPCurve(xAxis, yAxis);
        track.line->setName(QStringLiteral("C%1").arg(track.cluster));
        track.line->setPen(QPen(colour, 1.5));
        track.line->setScatterStyle(
            QCPScatterStyle(QCPScatterStyle::ssCircle, colour, Qt::white, 5));
        track.head = new QCPCurve(xAxis, yAxis);
        track.head->setPen(Qt::NoPen);
        track.head->setLineStyle(QCPCurve::lsNone);
        track.head->setScatterStyle(
            QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(Qt::white, 1.5), colour, 13));
        track.head->removeFromLegend();
    }
    m_message->setVisible(false);
}

void ClusterProjectionPlot::showStep(std::int64_t step)
{
    for (auto &track : m_tracks) {
        // Points up to the selected step: scrubbing replays how the centres moved.
        const auto shown = int(std::upper_bound(track.steps.begin(), track.steps.end(), step)
                               - track.steps.begin());
        track.line->setData(track.x.mid(0, shown), track.y.mid(0, shown));
        if (shown > 0)
            track.head->setData({track.x[shown - 1]}, {track.y[shown - 1]});
        else
            track.head->data()->clear();
    }
    requestReplot(this);
}

void ClusterProjectionPlot::showMessage(const QString &text)
{
    xAxis->setLabel(QStringLiteral("PC1"));
    yAxis->setLabel(QStringLiteral("PC2"));
    xAxis->setRange(-1, 1);
    yAxis->setRange(-1, 1);
    m_message->setText(text);
    m_message->setVisible(true);
}

} // namespace slim::ui
