#pragma once
// Prints a job's progress on one updating terminal line (phase, done/total, rate, ETA) and its
// log lines, to stderr so stdout stays clean for --json output.

#include "events/run_observer.h"

#include <chrono>
#include <string>

namespace slim::cli {

class ProgressPrinter : public engine::RunObserver
{
public:
    explicit ProgressPrinter(bool quiet = false);
    ~ProgressPrinter() override;

    void progress(const engine::ProgressInfo &p) override;
    void log(const std::string &line) override;
    void metrics(const std::vector<engine::MetricSample> &samples) override;
    void finishLine();

private:
    bool m_quiet;
    bool m_lineOpen = false;
    bool m_tty;
    double m_lastLoss = -1;
    std::chrono::steady_clock::time_point m_lastPrint;
};

std::string formatDuration(double seconds); // "1h02m", "3m05s", "42s"

} // namespace slim::cli
