#pragma once
// The live feed of running jobs to the plots. Job threads push (cheap: convert and append under
// a mutex); a RunSession subscribes to the run its view shows and drains what arrived since its
// last drain on its own timer (~40 ms); the views bulk-append what it merged. Metrics are pulled,
// never a signal per sample.
//
// Thread safety: every method may be called from any thread.

#include "run_data.h"

#include <cstdint>
#include <mutex>
#include <unordered_map>

namespace slim::services {

class MetricStream
{
public:
    using SubscriptionId = std::uint64_t;

    // A subscriber starts receiving increments of `runId` pushed from now on. Subscribe before
    // loading the run from the store, then drop drained rows already loaded (RunSession).
    SubscriptionId subscribe(std::int64_t runId);
    void unsubscribe(SubscriptionId id);
    // Everything pushed for the subscription's run since the last drain (empty() if nothing).
    RunData drain(SubscriptionId id);

    // Job side: appends to every subscription of increment.runId (no-op without subscribers).
    void push(RunData &&increment);

private:
    struct Subscription
    {
        std::int64_t runId = 0;
        RunData pending;
    };
    std::mutex m_mutex;
    std::unordered_map<SubscriptionId, Subscription> m_subscriptions;
    SubscriptionId m_nextId = 1;
};

} // namespace slim::services
