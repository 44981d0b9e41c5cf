#include "metric_stream.h"

namespace slim::services {

MetricStream::SubscriptionId MetricStream::subscribe(std::int64_t runId)
{
    std::lock_guard lock(m_mutex);
    const auto id = m_nextId++;
    m_subscriptions[id].runId = runId;
    m_subscriptions[id].pending.runId = runId;
    return id;
}

void MetricStream::unsubscribe(SubscriptionId id)
{
    std::lock_guard lock(m_mutex);
    m_subscriptions.erase(id);
}

RunData MetricStream::drain(SubscriptionId id)
{
    std::lock_guard lock(m_mutex);
    auto it = m_subscriptions.find(id);
    if (it == m_subscriptions.end())
        return {};
    RunData out = std::move(it->second.pending);
    it->second.pending = RunData{};
    it->second.pending.runId = it->second.runId;
    return out;
}

void MetricStream::push(RunData &&increment)
{
    std::lock_guard lock(m_mutex);
    Subscription *last = nullptr;
    for (auto &[id, subscription] : m_subscriptions) {
        if (subscription.runId != increment.runId)
            continue;
        if (last)
            last->pending.append(RunData(increment)); // copies for all but the last one
        last = &subscription;
    }
    if (last)
        last->pending.append(std::move(increment));
}

} // namespace slim::services
