#pragma once
// Where SLIM's cluster centres of one layer move during training: every centre vector of the
// layer (all clusters, all reported steps) projected onto their principal plane (PCA), one
// trajectory per cluster up to the selected step, the point at that step drawn bigger. The axes
// say how much of the centres' variance the plane keeps.
//
// GUI thread only.

#include "cluster_index.h"
#include "plot/qcustomplot_include.h"

#include <array>
#include <cstdint>
#include <vector>

namespace slim::ui {

class ClusterProjectionPlot : public QCustomPlot
{
    Q_OBJECT
public:
    explicit ClusterProjectionPlot(QWidget *parent = nullptr);

    // Projects the centres of `layer` (index not owned; must outlive the next call). Refits only
    // when the layer or its centres changed since the last fit. Does not replot: showStep
    // follows. nullptr empties the plot.
    void setLayer(const services::ClusterIndex *index, std::int64_t layer);
    // Trajectories up to `step`, with the point at it bigger; one queued replot.
    void showStep(std::int64_t step);

    // Share of the centres' variance along PC1 and PC2 (0..1).
    std::array<double, 2> explained() const { return m_explained; }

private:
    struct Track
    {
        std::int64_t cluster = 0;
        std::vector<std::int64_t> steps; // ascending
        QVector<double> x, y; // PC1, PC2 per step
        QCPCurve *line = nullptr; // owned by the plot
        QCPCurve *head = nullptr;
    };
    void fit(const services::ClusterIndex::CentreSteps &centres);
    void showMessage(const QString &text);

    const services::ClusterIndex *m_index = nullptr;
    std::int64_t m_layer = -1;
    std::uint64_t m_revision = 0;
    std::vector<Track> m_tracks;
    std::array<double, 2> m_explained {};
    QCPTextElement *m_title;
    QCPItemText *m_message;
};

} // namespace slim::ui
