#pragma once
// The routing statistics of one run, indexed once for scrubbing: per (probe, site), one compact
// layer x expert matrix per recorded step. Moving the step slider then only copies one matrix
// into the heatmap (32 layers x 10 experts x 1000 steps index in milliseconds and scrub in
// microseconds), instead of scanning every row again.
//
// Plain value type; not thread-safe. RunSession owns the index of the run it shows; the Routing
// tab reads it.

#include "store/run_records.h"

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace slim::services {

class RoutingIndex
{
public:
    // One recorded step of one (probe, site). Cells are [layerIndex * experts + expertIndex];
    // NaN where nothing was recorded (MoLA layers have fewer experts than others).
    struct StepCells
    {
        std::vector<double> meanWeight, selectionShare; // [layers * experts]
        std::vector<double> identityMass, fullIdentityRate; // [layers], shares 0..1
    };

    struct Site
    {
        std::vector<std::int64_t> layers; // sorted model layer numbers (matrix rows)
        std::vector<std::int64_t> experts; // sorted expert numbers (matrix columns)
        std::vector<bool> identity; // [experts] the column is an identity expert
        std::map<std::int64_t, StepCells> steps;
        // Largest values over every step, so colours stay comparable while scrubbing.
        double maxMeanWeight = 0, maxSelectionShare = 0, maxIdentityRate = 0;

        std::vector<std::int64_t> stepList() const; // ascending
        int layerIndex(std::int64_t layer) const; // -1 when absent
        int expertIndex(std::int64_t expert) const;
    };

    void clear();
    // Adds rows; a value for a (probe, site, step, layer[, expert]) already present replaces it.
    // Returns whether any cell changed (false when every row repeats a held value).
    bool add(const std::vector<store::RoutingLayerRow> &layerRows,
             const std::vector<store::RoutingExpertRow> &expertRows);

    bool empty() const { return m_sites.empty(); }
    // "train", "general", "downstream" first (those present), then any other probe by name.
    std::vector<std::string> probes() const;
    // "mlp" first, then projections in model order (q, k, v, o, gate, up, down), then by name.
    std::vector<std::string> sites(const std::string &probe) const;
    const Site *site(const std::string &probe, const std::string &site) const;

private:
    using Key = std::pair<std::string, std::string>; // probe, site
    Site &siteFor(const std::string &probe, const std::string &site);
    // Re-lays every step's matrices out after new layers or experts appeared.
    static void relayout(Site &site, std::vector<std::int64_t> layers,
                         std::vector<std::int64_t> experts);
    static StepCells &cellsAt(Site &site, std::int64_t step);

    std::map<Key, Site> m_sites;
    // The last looked-up site: rows arrive grouped, so most rows skip the map lookup.
    const Key *m_lastKey = nullptr;
    Site *m_lastSite = nullptr;
};

} // namespace slim::services
