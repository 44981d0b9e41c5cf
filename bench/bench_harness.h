#pragma once
// A small timing harness for the bench/ executables: warm-up, N timed repeats, median and
// spread, variants timed round-robin in one process (so a ratio compares runs made under the
// same machine conditions), one JSON object per line of output. Single-threaded use only; the
// timed functions may use LibTorch's intra-op threads. Header-only (std + nlohmann-json;
// torch for the version and thread count when it is on the include path).

#include <nlohmann/json.hpp>
// The engine benchmarks record LibTorch's version and threads; the store and GUI benchmarks
// (no torch on their include path) use the same harness without them.
#if __has_include(<torch/torch.h>)
#include <torch/torch.h>
#define SLIM_BENCH_WITH_TORCH 1
#endif

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iterator>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <sys/utsname.h>
#include <fcntl.h>
#include <poll.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace slim::bench {

// Seconds of each timed repeat and what they sum up to.
struct Timing
{
    std::vector<double> seconds;

    double median() const { return quantile(0.5); }
    double min() const { return seconds.empty() ? NAN : *std::min_element(seconds.begin(), seconds.end()); }
    double max() const { return seconds.empty() ? NAN : *std::max_element(seconds.begin(), seconds.end()); }
    // Linear interpolation between order statistics (numpy's default).
    double quantile(double q) const
    {
        if (seconds.empty())
            return NAN;
        auto s = seconds;
        std::sort(s.begin(), s.end());
        const double pos = q * double(s.size() - 1);
        const auto lo = size_t(std::floor(pos)), hi = size_t(std::ceil(pos));
        return s[lo] + (s[hi] - s[lo]) * (pos - double(lo));
    }
    // (max - min) / median: how much the repeats disagree (0.05 = 5 %).
    double spread() const { return seconds.empty() ? NAN : (max() - min()) / median(); }

    nlohmann::json toJson() const
    {
        return {{"repeats", seconds.size()}, {"median_s", median()}, {"min_s", min()},
                {"max_s", max()}, {"p25_s", quantile(0.25)}, {"p75_s", quantile(0.75)},
                {"spread", spread()}, {"samples_s", seconds}};
    }
};

struct RepeatOptions
{
    int warmup = 2;            // untimed calls of each variant first
    int repeats = 7;           // timed calls of each variant
    int min_repeats = 3;       // never fewer, whatever the budget
    double budget_seconds = 0; // > 0: stop adding repeats once the round-robin took this long
    std::function<void()> before_each; // called before every call, outside the clock
};

// --quick: one warm-up, two repeats (checks that everything runs; not for reporting).
inline RepeatOptions quickRepeats()
{
    RepeatOptions r;
    r.warmup = 1;
    r.repeats = 2;
    r.min_repeats = 1;
    return r;
}

inline double secondsOf(const std::function<void()> &fn)
{
    const auto t0 = std::chrono::steady_clock::now();
    fn();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

struct Variant
{
    std::string name;
    std::function<void()> run;
};

// Times several variants round-robin: every variant warms up, then each repeat calls every
// variant once in turn (options.before_each, if set, before every call, outside the clock).
// Returns one Timing per variant, in order.
inline std::vector<Timing> measureInterleaved(const std::vector<Variant> &variants,
                                              const RepeatOptions &options)
{
    auto before = [&] {
        if (options.before_each)
            options.before_each();
    };
    for (int i = 0; i < options.warmup; ++i) {
        for (const auto &v : variants) {
            before();
            v.run();
        }
    }
    std::vector<Timing> timings(variants.size());
    const auto started = std::chrono::steady_clock::now();
    for (int i = 0; i < options.repeats; ++i) {
        for (size_t k = 0; k < variants.size(); ++k) {
            before();
            timings[k].seconds.push_back(secondsOf(variants[k].run));
        }
        const double elapsed
            = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        if (options.budget_seconds > 0 && i + 1 >= options.min_repeats
            && elapsed > options.budget_seconds)
            break;
    }
    return timings;
}

// One function timed `repeats` times after `warmup` calls.
inline Timing measure(const std::function<void()> &fn, const RepeatOptions &options)
{
    return measureInterleaved({{"", fn}}, options).front();
}

// Median over repeats of the per-repeat ratio a_i / b_i (paired: both timed in the same round).
inline double pairedRatio(const Timing &a, const Timing &b)
{
    Timing r;
    for (size_t i = 0; i < std::min(a.seconds.size(), b.seconds.size()); ++i)
        r.seconds.push_back(a.seconds[i] / b.seconds[i]);
    return r.median();
}

// JSON lines to stdout and, when a path is given, appended to that file.
class JsonLines
{
public:
    explicit JsonLines(const std::string &path = {})
    {
        if (!path.empty())
            m_file.open(path, std::ios::app);
        if (!path.empty() && !m_file)
            throw std::runtime_error(path + ": cannot open for writing");
    }
    void write(const nlohmann::json &record)
    {
        const auto line = record.dump();
        std::cout << line << std::endl;
        if (m_file.is_open())
            m_file << line << std::endl;
    }

private:
    std::ofstream m_file;
};

// Command-line options shared by the bench executables: --out FILE, --repeats N, --warmup N,
// --quick (fewer sizes and repeats, for checking that everything runs), and free key=value
// pairs each executable interprets.
struct Args
{
    std::string out;
    RepeatOptions repeat;
    bool quick = false;
    std::map<std::string, std::string> extra;

    std::string get(const std::string &key, const std::string &fallback) const
    {
        auto it = extra.find(key);
        return it == extra.end() ? fallback : it->second;
    }
    int64_t getInt(const std::string &key, int64_t fallback) const
    {
        auto it = extra.find(key);
        return it == extra.end() ? fallback : std::stoll(it->second);
    }
};

inline Args parseArgs(int argc, char **argv, const std::string &usage)
{
    Args a;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc)
                throw std::invalid_argument(arg + " needs a value\n" + usage);
            return argv[++i];
        };
        if (arg == "--out")
            a.out = next();
        else if (arg == "--repeats")
            a.repeat.repeats = std::stoi(next());
        else if (arg == "--warmup")
            a.repeat.warmup = std::stoi(next());
        else if (arg == "--quick")
            a.quick = true;
        else if (arg == "--help" || arg == "-h") {
            std::cout << usage << std::endl;
            std::exit(0);
        } else if (auto eq = arg.find('='); eq != std::string::npos && arg.rfind("--", 0) == 0)
            a.extra[arg.substr(2, eq - 2)] = arg.substr(eq + 1);
        else
            throw std::invalid_argument("unknown argument " + arg + "\n" + usage);
    }
    a.repeat.min_repeats = std::min(a.repeat.min_repeats, a.repeat.repeats);
    return a;
}

// The first line of every output: what ran where.
inline nlohmann::json machineInfo(const std::string &benchmark)
{
    auto firstMatch = [](const std::string &file, const std::string &key) -> std::string {
        std::ifstream in(file);
        std::string line;
        while (std::getline(in, line)) {
            if (line.rfind(key, 0) == 0) {
                auto colon = line.find(':');
                auto value = colon == std::string::npos ? line : line.substr(colon + 1);
                value.erase(0, value.find_first_not_of(" \t"));
                return value;
            }
        }
        return {};
    };
    utsname u{};
    uname(&u);
    const char *omp = std::getenv("OMP_NUM_THREADS");
    nlohmann::json info = {{"record", "machine"},
                           {"benchmark", benchmark},
                           {"cpu", firstMatch("/proc/cpuinfo", "model name")},
                           {"hardware_threads", std::thread::hardware_concurrency()},
                           {"mem_total", firstMatch("/proc/meminfo", "MemTotal")},
                           {"kernel", std::string(u.release)},
                           {"omp_num_threads", omp ? omp : ""},
                           {"loadavg_at_start", firstMatch("/proc/loadavg", "")}};
#ifdef SLIM_BENCH_WITH_TORCH
    std::ostringstream torchVersion;
    torchVersion << TORCH_VERSION_MAJOR << '.' << TORCH_VERSION_MINOR << '.' << TORCH_VERSION_PATCH;
    info["libtorch"] = torchVersion.str();
    info["torch_threads"] = torch::get_num_threads();
#endif
    return info;
}

// How busy the rest of the machine was while we measured: CPU time of every process but this
// one (from /proc/stat minus /proc/self/stat), as a mean number of busy cores since
// construction. Unlike the load average it does not count our own threads.
class OtherLoad
{
public:
    OtherLoad() { resume(); }
    // Excludes the time until resume() (e.g. waiting for a lock-step partner, whose work is
    // not "other load" for us).
    void pause()
    {
        if (!m_running)
            return;
        m_ticks += double(systemBusyTicks() - m_system) - double(selfTicks() - m_self);
        m_seconds
            += std::chrono::duration<double>(std::chrono::steady_clock::now() - m_started).count();
        m_running = false;
    }
    void resume()
    {
        m_system = systemBusyTicks();
        m_self = selfTicks();
        m_started = std::chrono::steady_clock::now();
        m_running = true;
    }
    double cores() const
    {
        auto copy = *this;
        copy.pause();
        return copy.m_seconds > 0
                   ? std::max(0.0, copy.m_ticks / double(sysconf(_SC_CLK_TCK)) / copy.m_seconds)
                   : 0;
    }

private:
    static long long systemBusyTicks()
    {
        std::ifstream in("/proc/stat");
        std::string cpu;
        long long user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0,
                  steal = 0;
        in >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal;
        return user + nice + system + irq + softirq + steal;
    }
    static long long selfTicks()
    {
        std::ifstream in("/proc/self/stat");
        std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        std::istringstream fields(all.substr(all.rfind(')') + 2)); // after "pid (comm) "
        std::string field;
        long long utime = 0, stime = 0;
        for (int i = 3; fields >> field; ++i) { // field 3 is the state
            if (i == 14)
                utime = std::stoll(field);
            if (i == 15) {
                stime = std::stoll(field);
                break;
            }
        }
        return utime + stime;
    }
    long long m_system = 0, m_self = 0;
    std::chrono::steady_clock::time_point m_started;
    double m_ticks = 0, m_seconds = 0;
    bool m_running = false;
};

// Runs two benchmark processes in lock-step, so that the engine and its PyTorch baseline take
// turns unit by unit (a training step, an evaluation) and any drift of the machine hits both
// alike. Spec "IN_FIFO,OUT_FIFO,first|second" (bench/run_benchmarks.sh makes the FIFOs; the
// partner gets them swapped); an empty spec disables it. Call turn() before every unit: the
// first call lets the "first" process go and makes the "second" wait; later calls hand the
// turn over and wait to get it back. A partner that exits (EOF) or stays silent for
// kTimeoutMs ends the lock-step; the process then runs on alone.
class Lockstep
{
public:
    static constexpr int kTimeoutMs = 600'000;

    explicit Lockstep(const std::string &spec)
    {
        if (spec.empty())
            return;
        std::stringstream in(spec);
        std::string inPath, outPath, role;
        std::getline(in, inPath, ',');
        std::getline(in, outPath, ',');
        std::getline(in, role, ',');
        if (role != "first" && role != "second")
            throw std::invalid_argument("--lockstep=IN,OUT,first|second, got " + spec);
        m_first = role == "first";
        // The same opening order on both sides (the first's OUT is the second's IN), so the
        // blocking FIFO opens pair up instead of deadlocking.
        if (m_first) {
            m_out = ::open(outPath.c_str(), O_WRONLY);
            m_in = ::open(inPath.c_str(), O_RDONLY);
        } else {
            m_in = ::open(inPath.c_str(), O_RDONLY);
            m_out = ::open(outPath.c_str(), O_WRONLY);
        }
        if (m_in < 0 || m_out < 0)
            throw std::runtime_error("lockstep: cannot open " + inPath + " / " + outPath);
        m_active = true;
    }
    ~Lockstep()
    {
        if (m_in >= 0)
            ::close(m_in);
        if (m_out >= 0)
            ::close(m_out);
    }
    Lockstep(const Lockstep &) = delete;
    Lockstep &operator=(const Lockstep &) = delete;

    bool active() const { return m_active; }

    void turn()
    {
        if (!m_active)
            return;
        if (m_turns++ == 0) {
            if (!m_first)
                wait();
            return;
        }
        const char token = 't';
        if (::write(m_out, &token, 1) != 1) {
            m_active = false;
            return;
        }
        wait();
    }

private:
    void wait()
    {
        pollfd p{m_in, POLLIN, 0};
        char token = 0;
        if (::poll(&p, 1, kTimeoutMs) <= 0 || ::read(m_in, &token, 1) != 1)
            m_active = false; // partner gone: run on alone
    }

    int m_in = -1, m_out = -1;
    bool m_first = true, m_active = false;
    int64_t m_turns = 0;
};

// "0.93 0.71 0.60 ..." -> 0.93: the one-minute load average, recorded beside every result so a
// noisy run can be told from a quiet one.
inline double loadAverage()
{
    std::ifstream in("/proc/loadavg");
    double one = NAN;
    in >> one;
    return one;
}

} // namespace slim::bench
