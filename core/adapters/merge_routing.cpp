#include "merge_routing.h"

#include <stdexcept>

namespace slim::engine {

const std::vector<double> &MergeRouting::at(int64_t layer, const std::string &site,
                                            int64_t experts) const
{
    const auto router = "layer " + std::to_string(layer) + " " + site;
    const auto found = by_router.find({layer, site});
    const auto &weights = found != by_router.end() ? found->second : everywhere;
    if (weights.empty())
        throw std::invalid_argument("routing: no weights given for the router of " + router);
    if (int64_t(weights.size()) != experts)
        throw std::invalid_argument("routing: " + std::to_string(weights.size())
                                    + " weights for the " + std::to_string(experts)
                                    + " experts of " + router);
    return weights;
}

} // namespace slim::engine
