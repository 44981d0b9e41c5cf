#include "routing_index.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

namespace slim::services {

namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

int indexIn(const std::vector<std::int64_t> &sorted, std::int64_t value)
{
    const auto it = std::lower_bound(sorted.begin(), sorted.end(), value);
    return it != sorted.end() && *it == value ? int(it - sorted.begin()) : -1;
}

// Where a name sorts in a list whose well-known names come first in a fixed order.
int rankOf(const std::string &name, std::initializer_list<const char *> known)
{
    int rank = 0;
    for (const char *k : known) {
        if (name == k)
            return rank;
        ++rank;
    }
    return rank;
}

template<typename Rank>
void sortByRankThenName(std::vector<std::string> &names, Rank rank)
{
    std::sort(names.begin(), names.end(), [&](const std::string &a, const std::string &b) {
        const int ra = rank(a), rb = rank(b);
        return ra != rb ? ra < rb : a < b;
    });
}

// Writes `value` into `cell`; whether that changed it (NaN marks a cell never written).
bool assign(double &cell, double value)
{
    if (cell == value || (std::isnan(cell) && std::isnan(value)))
        return false;
    cell = value;
    return true;
}

} // namespace

std::vector<std::int64_t> RoutingIndex::Site::stepList() const
{
    std::vector<std::int64_t> out;
    out.reserve(steps.size());
    for (const auto &entry : steps)
        out.push_back(entry.first);
    return out;
}

int RoutingIndex::Site::layerIndex(std::int64_t layer) const
{
    return indexIn(layers, layer);
}

int RoutingIndex::Site::expertIndex(std::int64_t expert) const
{
    return indexIn(experts, expert);
}

void RoutingIndex::clear()
{
    m_sites.clear();
    m_lastKey = nullptr;
    m_lastSite = nullptr;
}

RoutingIndex::Site &RoutingIndex::siteFor(const std::string &probe, const std::string &site)
{
    if (m_lastKey && m_lastKey->first == probe && m_lastKey->second == site)
        return *m_lastSite;
    auto it = m_sites.try_emplace(Key(probe, site)).first;
    m_lastKey = &it->first;
    m_lastSite = &it->second;
    return it->second;
}

RoutingIndex::StepCells &RoutingIndex::cellsAt(Site &site, std::int64_t step)
{
    auto [it, inserted] = site.steps.try_emplace(step);
    if (inserted) {
        const std::size_t cells = site.layers.size() * site.experts.size();
        it->second.meanWeight.assign(cells, kNan);
        it->second.selectionShare.assign(cells, kNan);
        it->second.identityMass.assign(site.layers.size(), kNan);
        it->second.fullIdentityRate.assign(site.layers.size(), kNan);
    }
    return it->second;
}

void RoutingIndex::relayout(Site &site, std::vector<std::int64_t> layers,
                            std::vector<std::int64_t> experts)
{
    const std::size_t oldExperts = site.experts.size();
    std::vector<int> layerMap, expertMap; // old index -> new index
    for (auto layer : site.layers)
        layerMap.push_back(indexIn(layers, layer));
    for (auto expert : site.experts)
        expertMap.push_back(indexIn(experts, expert));

    std::vector<bool> identity(experts.size(), false);
    for (std::size_t e = 0; e < oldExperts; ++e)
        identity[std::size_t(expertMap[e])] = site.identity[e];

    const std::size_t newCells = layers.size() * experts.size();
    for (auto &entry : site.steps) {
        StepCells &old = entry.second;
        StepCells cells;
        cells.meanWeight.assign(newCells, kNan);
        cells.selectionShare.assign(newCells, kNan);
        cells.identityMass.assign(layers.size(), kNan);
        cells.fullIdentityRate.assign(layers.size(), kNan);
        for (std::size_t l = 0; l < layerMap.size(); ++l) {
            const auto nl = std::size_t(layerMap[l]);
            cells.identityMass[nl] = old.identityMass[l];
            cells.fullIdentityRate[nl] = old.fullIdentityRate[l];
            for (std::size_t e = 0; e < oldExperts; ++e) {
                const std::size_t from = l * oldExperts + e;
                const std::size_t to = nl * experts.size() + std::size_t(expertMap[e]);
                cells.meanWeight[to] = old.meanWeight[from];
                cells.selectionShare[to] = old.selectionShare[from];
            }
        }
        old = std::move(cells);
    }
    site.layers = std::move(layers);
    site.experts = std::move(experts);
    site.identity = std::move(identity);
}

bool RoutingIndex::add(const std::vector<store::RoutingLayerRow> &layerRows,
                       const std::vector<store::RoutingExpertRow> &expertRows)
{
    bool changed = false;
    // Pass 1: the layers and experts each site has not seen yet, so matrices are laid out once
    // per call rather than grown row by row.
    std::map<Site *, std::pair<std::set<std::int64_t>, std::set<std::int64_t>>> grow;
    for (const auto &row : layerRows) {
        Site &s = siteFor(row.probe, row.site);
        if (s.layerIndex(row.layer) < 0)
            grow[&s].first.insert(row.layer);
    }
    for (const auto &row : expertRows) {
        Site &s = siteFor(row.probe, row.site);
        if (s.layerIndex(row.layer) < 0)
            grow[&s].first.insert(row.layer);
        if (s.expertIndex(row.expert) < 0)
            grow[&s].second.insert(row.expert);
    }
    for (auto &[site, added] : grow) {
        std::set<std::int64_t> layers(site->layers.begin(), site->layers.end());
        std::set<std::int64_t> experts(site->experts.begin(), site->experts.end());
        layers.insert(added.first.begin(), added.first.end());
        experts.insert(added.second.begin(), added.second.end());
        relayout(*site, {layers.begin(), layers.end()}, {experts.begin(), experts.end()});
        changed = true;
    }

    // Pass 2: write the values; a later row for the same cell wins.
    for (const auto &row : layerRows) {
        Site &s = siteFor(row.probe, row.site);
        StepCells &cells = cellsAt(s, row.step);
        const auto l = std::size_t(s.layerIndex(row.layer));
        changed |= assign(cells.identityMass[l], row.identityMass);
        changed |= assign(cells.fullIdentityRate[l], row.fullIdentityRate);
        s.maxIdentityRate = std::max({s.maxIdentityRate, row.identityMass, row.fullIdentityRate});
    }
    for (const auto &row : expertRows) {
        Site &s = siteFor(row.probe, row.site);
        StepCells &cells = cellsAt(s, row.step);
        const auto e = std::size_t(s.expertIndex(row.expert));
        const std::size_t cell = std::size_t(s.layerIndex(row.layer)) * s.experts.size() + e;
        changed |= assign(cells.meanWeight[cell], row.meanWeight);
        changed |= assign(cells.selectionShare[cell], row.selectionShare);
        if (row.isIdentity && !s.identity[e]) {
            s.identity[e] = true;
            changed = true;
        }
        s.maxMeanWeight = std::max(s.maxMeanWeight, row.meanWeight);
        s.maxSelectionShare = std::max(s.maxSelectionShare, row.selectionShare);
    }
    return changed;
}

std::vector<std::string> RoutingIndex::probes() const
{
    std::vector<std::string> out;
    for (const auto &entry : m_sites)
        if (out.empty() || out.back() != entry.first.first)
            out.push_back(entry.first.first);
    sortByRankThenName(out, [](const std::string &p) {
        return rankOf(p, {"train", "general", "downstream"});
    });
    return out;
}

std::vector<std::string> RoutingIndex::sites(const std::string &probe) const
{
    std::vector<std::string> out;
    for (auto it = m_sites.lower_bound(Key(probe, {})); it != m_sites.end(); ++it) {
        if (it->first.first != probe)
            break;
        out.push_back(it->first.second);
    }
    sortByRankThenName(out, [](const std::string &s) {
        return rankOf(
            s,
            {"mlp", "q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"});
    });
    return out;
}

const RoutingIndex::Site *RoutingIndex::site(const std::string &probe,
                                             const std::string &site) const
{
    const auto it = m_sites.find(Key(probe, site));
    return it == m_sites.end() ? nullptr : &it->second;
}

} // namespace slim::services
