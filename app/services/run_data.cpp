#include "run_data.h"

namespace slim::services {

namespace {
template<typename T>
void moveAppend(std::vector<T> &to, std::vector<T> &from)
{
    if (to.empty()) {
        to = std::move(from);
        return;
    }
    to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
}
} // namespace

bool RunData::empty() const
{
    return metrics.empty() && evals.empty() && routingLayers.empty() && routingExperts.empty()
           && clusterLayers.empty() && clusterCentres.empty();
}

void RunData::append(RunData &&more)
{
    moveAppend(metrics, more.metrics);
    moveAppend(evals, more.evals);
    moveAppend(routingLayers, more.routingLayers);
    moveAppend(routingExperts, more.routingExperts);
    moveAppend(clusterLayers, more.clusterLayers);
    moveAppend(clusterCentres, more.clusterCentres);
}

} // namespace slim::services
