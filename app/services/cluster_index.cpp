#include "cluster_index.h"

#include <algorithm>
#include <set>

namespace slim::services {

namespace {

bool sameCentre(const store::ClusterCentreRow &a, const store::ClusterCentreRow &b)
{
    return a.size == b.size && a.drift == b.drift && a.meanSigma == b.meanSigma
        && a.centre == b.centre;
}

bool sameStats(const store::ClusterLayerRow &a, const store::ClusterLayerRow &b)
{
    return a.scored == b.scored && a.dplusMean == b.dplusMean && a.dplusMax == b.dplusMax
        && a.dplusPositiveShare == b.dplusPositiveShare && a.reference == b.reference
        && a.dplusHistogram == b.dplusHistogram && a.histogramMax == b.histogramMax;
}

} // namespace

void ClusterIndex::clear()
{
    m_centres.clear();
    m_revisions.clear();
    m_stats.clear();
    m_owners.clear();
}

bool ClusterIndex::add(std::shared_ptr<const RunData> data)
{
    if (!data)
        return false;
    bool changed = false;
    for (const auto &row : data->clusterCentres) {
        const auto *&held = m_centres[row.layer][row.step][row.cluster];
        if (held && sameCentre(*held, row))
            continue;
        held = &row;
        m_revisions[row.layer] = m_nextRevision;
        changed = true;
    }
    ++m_nextRevision;
    for (const auto &row : data->clusterLayers) {
        const auto *&held = m_stats[{row.probe, row.layer}][row.step];
        if (held && sameStats(*held, row))
            continue;
        held = &row;
        changed = true;
    }
    if (changed)
        m_owners.push_back(std::move(data));
    return changed;
}

std::vector<std::int64_t> ClusterIndex::layers() const
{
    std::set<std::int64_t> layers;
    for (const auto &entry : m_centres)
        layers.insert(entry.first);
    for (const auto &entry : m_stats)
        layers.insert(entry.first.second);
    return {layers.begin(), layers.end()};
}

std::vector<std::int64_t> ClusterIndex::steps() const
{
    std::set<std::int64_t> steps;
    for (const auto &layer : m_centres)
        for (const auto &entry : layer.second)
            steps.insert(entry.first);
    for (const auto &series : m_stats)
        for (const auto &entry : series.second)
            steps.insert(entry.first);
    return {steps.begin(), steps.end()};
}

std::vector<std::string> ClusterIndex::probes() const
{
    std::set<std::string> names;
    for (const auto &entry : m_stats)
        names.insert(entry.first.first);
    std::vector<std::string> out;
    for (const char *known : {"train", "general", "downstream"})
        if (names.erase(known))
            out.emplace_back(known);
    out.insert(out.end(), names.begin(), names.end());
    return out;
}

const ClusterIndex::CentreSteps *ClusterIndex::centres(std::int64_t layer) const
{
    const auto it = m_centres.find(layer);
    return it == m_centres.end() ? nullptr : &it->second;
}

std::uint64_t ClusterIndex::centreRevision(std::int64_t layer) const
{
    const auto it = m_revisions.find(layer);
    return it == m_revisions.end() ? 0 : it->second;
}

std::vector<std::pair<std::int64_t, double>> ClusterIndex::meanDrift(std::int64_t layer) const
{
    std::vector<std::pair<std::int64_t, double>> out;
    const auto *steps = centres(layer);
    if (!steps)
        return out;
    for (const auto &[step, clusters] : *steps) {
        double sum = 0;
        for (const auto &entry : clusters)
            sum += entry.second->drift;
        out.emplace_back(step, clusters.empty() ? 0.0 : sum / double(clusters.size()));
    }
    return out;
}

const store::ClusterLayerRow *ClusterIndex::stats(const std::string &probe, std::int64_t layer,
                                                  std::int64_t step) const
{
    const auto series = m_stats.find({probe, layer});
    if (series == m_stats.end())
        return nullptr;
    auto it = series->second.upper_bound(step);
    if (it == series->second.begin())
        return nullptr;
    return std::prev(it)->second;
}

} // namespace slim::services
