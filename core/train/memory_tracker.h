#pragma once
// Measures the peak of LibTorch's CPU tensor memory while it is alive, through c10's memory
// reporting (the hook the profiler uses): every allocation and free of this thread reports the
// allocator's running total, whose maximum is the peak. The reference the memory estimate is
// measured against (bench/bench_memory, docs/benchmarks.md). One tracker per thread at a time.

#include <cstdint>
#include <memory>

namespace slim::engine {

class MemoryTracker
{
public:
    MemoryTracker();
    ~MemoryTracker();
    MemoryTracker(const MemoryTracker &) = delete;
    MemoryTracker &operator=(const MemoryTracker &) = delete;

    std::int64_t current() const; // bytes allocated now (the allocator's total)
    std::int64_t peak() const;    // the largest total seen since construction or resetPeak()
    void resetPeak();

private:
    struct Reporter;
    std::shared_ptr<Reporter> m_reporter;
    struct Guard;
    std::unique_ptr<Guard> m_guard;
};

} // namespace slim::engine
