#include "memory_tracker.h"

#include <c10/core/Allocator.h>
#include <c10/core/CPUAllocator.h>
#include <c10/util/ThreadLocalDebugInfo.h>

#include <algorithm>
#include <atomic>

namespace slim::engine {

struct MemoryTracker::Reporter : public c10::MemoryReportingInfoBase
{
    std::atomic<std::int64_t> total{0}, peak{0};

    void reportMemoryUsage(void *, int64_t, int64_t totalAllocated, int64_t, c10::Device device) override
    {
        if (!device.is_cpu())
            return;
        total = totalAllocated;
        auto seen = peak.load();
        while (totalAllocated > seen && !peak.compare_exchange_weak(seen, totalAllocated)) {
        }
    }
    bool memoryProfilingEnabled() const override { return true; }
};

struct MemoryTracker::Guard
{
    explicit Guard(std::shared_ptr<c10::DebugInfoBase> info)
        : guard(c10::DebugInfoKind::PROFILER_STATE, std::move(info))
    {
    }
    c10::DebugInfoGuard guard;
};

MemoryTracker::MemoryTracker()
    : m_reporter(std::make_shared<Reporter>())
{
    m_guard = std::make_unique<Guard>(m_reporter);
}

MemoryTracker::~MemoryTracker() = default;

std::int64_t MemoryTracker::current() const
{
    return m_reporter->total.load();
}

std::int64_t MemoryTracker::peak() const
{
    return m_reporter->peak.load();
}

void MemoryTracker::resetPeak()
{
    m_reporter->peak = m_reporter->total.load();
}

} // namespace slim::engine
