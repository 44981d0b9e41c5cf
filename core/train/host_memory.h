#pragma once
// The memory a job may still take on this machine: the free memory (MemAvailable), bounded by
// the limits a batch system or container sets: the memory limit of the process's cgroup (v1 or
// v2, every level up to the root) and the address-space limit (ulimit -v). Std-only, Linux.

#include <cstdint>
#include <string>

namespace slim::engine {

struct HostMemory
{
    std::int64_t bytes = -1; // -1 when unknown
    // What bounds `bytes` when it is a limit rather than the free memory: "the memory limit of
    // cgroup /slurm/job_12 (4.00 GiB)", "the address-space memory limit (ulimit -v) of
    // 3.00 GiB"; empty for the machine's free memory.
    std::string limit;
};

HostMemory availableHostMemory();

} // namespace slim::engine
