#include "host_memory.h"

#include "common/file_writes.h"

#include <sys/resource.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

namespace slim::engine {

namespace fs = std::filesystem;

namespace {

// A "Key:   123 kB" line of a /proc file, in bytes; -1 when missing.
std::int64_t procKibField(const char *file, const std::string &key)
{
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(key, 0) == 0) {
            std::istringstream value(line.substr(key.size()));
            std::int64_t kib = -1;
            value >> kib;
            return kib < 0 ? -1 : kib * 1024;
        }
    }
    return -1;
}

// The first number in a cgroup file; -1 when missing or "max".
std::int64_t readNumber(const fs::path &file)
{
    std::ifstream in(file);
    std::int64_t value = -1;
    if (!(in >> value))
        return -1;
    return value;
}

// "name value" lines of a cgroup's memory.stat.
std::int64_t statField(const fs::path &file, const std::string &name)
{
    std::ifstream in(file);
    std::string key;
    std::int64_t value = 0;
    while (in >> key >> value) {
        if (key == name)
            return value;
    }
    return 0;
}

struct CgroupMemory
{
    int version = 0;  // 1 or 2
    fs::path dir;     // the process's cgroup folder of the memory controller
};

CgroupMemory ownMemoryCgroup()
{
    std::ifstream in("/proc/self/cgroup");
    std::string line;
    while (std::getline(in, line)) {
        const auto first = line.find(':');
        const auto second = line.find(':', first + 1);
        if (first == std::string::npos || second == std::string::npos)
            continue;
        const auto controllers = line.substr(first + 1, second - first - 1);
        const auto path = line.substr(second + 1);
        if (controllers.empty() && fs::exists("/sys/fs/cgroup/cgroup.controllers"))
            return {2, fs::path("/sys/fs/cgroup") / path.substr(path.empty() ? 0 : 1)};
        std::istringstream names(controllers);
        for (std::string name; std::getline(names, name, ',');) {
            if (name == "memory")
                return {1, fs::path("/sys/fs/cgroup/memory") / path.substr(path.empty() ? 0 : 1)};
        }
    }
    return {};
}

// The tightest (limit - usage) over the cgroup and its ancestors; page cache that can be
// dropped (inactive files) does not count as used.
HostMemory cgroupMemory()
{
    const auto cgroup = ownMemoryCgroup();
    if (cgroup.version == 0)
        return {};
    const fs::path root = cgroup.version == 2 ? "/sys/fs/cgroup" : "/sys/fs/cgroup/memory";
    const char *limitFile = cgroup.version == 2 ? "memory.max" : "memory.limit_in_bytes";
    const char *usageFile = cgroup.version == 2 ? "memory.current" : "memory.usage_in_bytes";
    const char *inactive = cgroup.version == 2 ? "inactive_file" : "total_inactive_file";
    constexpr std::int64_t kNoLimit = std::int64_t(1) << 60; // v1 writes ~2^63 for "none"
    HostMemory tightest;
    for (auto dir = cgroup.dir; dir.string().size() >= root.string().size(); dir = dir.parent_path()) {
        const auto limit = readNumber(dir / limitFile);
        const auto usage = readNumber(dir / usageFile);
        if (limit > 0 && limit < kNoLimit && usage >= 0) {
            const auto free = std::max<std::int64_t>(
                0, limit - (usage - statField(dir / "memory.stat", inactive)));
            if (tightest.bytes < 0 || free < tightest.bytes) {
                const auto name = "/" + fs::relative(dir, root).generic_string();
                tightest = {free, "the memory limit of cgroup " + (name == "/." ? "/" : name)
                                      + " (" + common::formatBytes(limit) + ")"};
            }
        }
        if (dir == root || dir == dir.parent_path())
            break;
    }
    return tightest;
}

HostMemory addressSpace()
{
    rlimit limit{};
    if (getrlimit(RLIMIT_AS, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY)
        return {};
    const auto used = procKibField("/proc/self/status", "VmSize:");
    if (used < 0)
        return {};
    const auto total = std::int64_t(limit.rlim_cur);
    return {std::max<std::int64_t>(0, total - used),
            "the address-space memory limit (ulimit -v) of " + common::formatBytes(total)};
}

} // namespace

HostMemory availableHostMemory()
{
    HostMemory available{procKibField("/proc/meminfo", "MemAvailable:"), {}};
    for (const auto &bound : {cgroupMemory(), addressSpace()}) {
        if (bound.bytes >= 0 && (available.bytes < 0 || bound.bytes < available.bytes))
            available = bound;
    }
    return available;
}

} // namespace slim::engine
