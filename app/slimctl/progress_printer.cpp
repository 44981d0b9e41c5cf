#include "progress_printer.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>

namespace slim::cli {

std::string formatDuration(double seconds)
{
    if (seconds < 0 || !std::isfinite(seconds))
        return "?";
    const auto s = static_cast<long>(std::lround(seconds));
    char buf[32];
    if (s >= 3600)
        std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, (s / 60) % 60);
    else if (s >= 60)
        std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
    else
        std::snprintf(buf, sizeof buf, "%lds", s);
    return buf;
}

ProgressPrinter::ProgressPrinter(bool quiet)
    : m_quiet(quiet)
    , m_tty(isatty(fileno(stderr)) != 0)
{}

ProgressPrinter::~ProgressPrinter()
{
    finishLine();
}

void ProgressPrinter::finishLine()
{
    if (m_lineOpen)
        std::fputc('\n', stderr);
    m_lineOpen = false;
}

void ProgressPrinter::metrics(const std::vector<engine::MetricSample> &samples)
{
    for (const auto &s : samples) {
        if (s.name == "loss/lm")
            m_lastLoss = s.value;
    }
}

void ProgressPrinter::progress(const engine::ProgressInfo &p)
{
    if (m_quiet)
        return;
    const auto now = std::chrono::steady_clock::now();
    // Without a terminal, one line every 10 s keeps logs readable.
    const auto every = m_tty ? std::chrono::milliseconds(100) : std::chrono::milliseconds(10000);
    if (now - m_lastPrint < every && p.done != p.total)
        return;
    m_lastPrint = now;
    const double pct = p.total > 0 ? 100.0 * double(p.done) / double(p.total) : 0.0;
    char line[256];
    int n = std::snprintf(line, sizeof line, "%-28s %6lld/%-6lld %5.1f%%  %.2f %s  ETA %s",
                          p.phase.substr(0, 28).c_str(), static_cast<long long>(p.done),
                          static_cast<long long>(p.total), pct, p.rate, p.rate_unit.c_str(),
                          formatDuration(p.eta_seconds).c_str());
    if (m_lastLoss >= 0 && (p.phase == "train" || p.phase == "pretrain") && n > 0)
        std::snprintf(line + n, sizeof line - size_t(n), "  loss %.3f", m_lastLoss);
    if (m_tty) {
        std::fprintf(stderr, "\r%-100s", line);
        m_lineOpen = true;
    } else {
        std::fprintf(stderr, "%s\n", line);
    }
    std::fflush(stderr);
}

void ProgressPrinter::log(const std::string &line)
{
    if (m_quiet)
        return;
    finishLine();
    std::fprintf(stderr, "%s\n", line.c_str());
}

} // namespace slim::cli
