#pragma once
// The routing heatmap: layers (rows) x experts (columns) of one probe and site at one recorded
// step, coloured by mean routing weight or selection share. Identity experts are marked: their
// tick labels ("I0", "I1") and caption in the identity colour, and a dashed line between the
// LoRA and identity experts. The colour range is fixed to 0..max over every step, so a colour
// means the same value while scrubbing.
//
// GUI thread only.

#include "plot/qcustomplot_include.h"
#include "routing_index.h"

#include <cstdint>
#include <vector>

namespace slim::ui {

class RoutingHeatmap : public QCustomPlot
{
    Q_OBJECT
public:
    enum class Colour { MeanWeight, SelectionShare };

    explicit RoutingHeatmap(QWidget *parent = nullptr);

    // Lays the map out for `site` (not owned; it must stay valid until the next call; nullptr
    // empties the plot). Does not replot: showStep follows.
    void setSite(const services::RoutingIndex::Site *site, Colour colour, const QString &caption);
    // Copies the values recorded at `step` into the cells and queues one replot.
    void showStep(std::int64_t step);

    QCPColorMap *colorMap() const { return m_map; }
    // The coloured identity tick labels, in expert order (empty when the router has none).
    const std::vector<QCPItemText *> &identityLabels() const { return m_identityLabels; }

private:
    void clearMarks();
    void addMarks();
    void showToolTip(QMouseEvent *event);

    QCPColorMap *m_map;
    QCPColorScale *m_scale;
    QCPTextElement *m_title;
    const services::RoutingIndex::Site *m_site = nullptr;
    Colour m_colour = Colour::MeanWeight;
    QString m_caption; // probe and site, for the title
    std::int64_t m_step = 0;
    std::vector<QCPItemText *> m_identityLabels;
    std::vector<QCPAbstractItem *> m_marks; // labels, captions, separators: owned by the plot
};

} // namespace slim::ui
