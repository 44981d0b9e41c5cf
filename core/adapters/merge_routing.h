#pragma once
// What a mixture of experts is folded into a single model at (AdapterSetImpl::foldIntoBase,
// exportMerged). std-only: slimctl and the window build it without LibTorch headers.

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace slim::engine {

// The routing a mixture is folded at: one weight per expert for each router, keyed by layer and
// site ("mlp" for a block router (SLIM, MixLoRA), else the projection, e.g. "q_proj"), or one
// vector for every router. SLIM's vectors hold its LoRA experts, then its identity experts.
struct MergeRouting
{
    std::map<std::pair<int64_t, std::string>, std::vector<double>> by_router;
    std::vector<double> everywhere; // for the routers by_router does not name

    bool empty() const { return by_router.empty() && everywhere.empty(); }
    // The weights of one router with `experts` experts. Throws std::invalid_argument naming the
    // router when none were given or their count differs.
    const std::vector<double> &at(int64_t layer, const std::string &site, int64_t experts) const;
};

} // namespace slim::engine
