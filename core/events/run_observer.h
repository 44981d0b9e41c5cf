#pragma once
// What a running job reports, as plain std types (no torch, no Qt): the recorder writes it to
// the run store, the GUI's MetricStream buffers it for plots, slimctl prints progress. Calls come
// on the job's thread; implementations must be cheap (buffer, do not block).

#include "adapters/reports.h"
#include "common/scoring_mode.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace slim::engine {

struct MetricSample
{
    int64_t step = 0;
    std::string name; // "loss/lm", "loss/l1", "loss/aux", "lr", "tokens_per_sec", "grad_norm"
    double value = 0;
};

struct EvalRecord
{
    int64_t step = 0;
    std::string task;
    bool general = false;       // general suite (forgetting) or downstream
    std::string split = "test";
    std::string metric; // "acc", "acc_norm", "exact_match", "char_accuracy", "bits_per_byte"
    ScoringMode mode = ScoringMode::LogLikelihood;
    double value = 0;
    double stderr_ = 0;
    int64_t n = 0;
    std::string template_hash;
    int64_t shots = 0;
    std::string task_version;
    bool is_final = false;      // full test set at the end (else a probe subset)
    std::optional<double> floor; // the untrained model's score on the same items
};

struct ProgressInfo
{
    std::string phase;      // "pretrain", "base-eval", "train", "eval", ...
    int64_t done = 0;
    int64_t total = 0;
    double rate = 0;        // units per second (tokens/s while training)
    std::string rate_unit;  // "tok/s", "items/s"
    double eta_seconds = -1;
};

// What a run resolved before training: recorded with the run so it can be reproduced.
struct RunPrepared
{
    std::string device;        // "cpu", "cuda:0"
    std::string model_hash;    // sha256 of the base model's weights
    std::map<std::string, std::string> dataset_hashes; // task -> sha256
    std::map<std::string, std::string> versions;       // "libtorch" -> "1.13.1", ...
    int64_t trainable_parameters = 0;
};

enum class RunStatus { Succeeded, Failed, Cancelled };

struct RunOutcome
{
    RunStatus status = RunStatus::Succeeded;
    std::string message; // short, for users
    std::string detail;  // technical detail
};

class RunObserver
{
public:
    virtual ~RunObserver() = default;
    virtual void prepared(const RunPrepared &) {}
    virtual void metrics(const std::vector<MetricSample> &) {}
    // probe: "train" during training steps, else the evaluated suite ("general", "downstream").
    virtual void routing(int64_t step, const std::string &probe,
                         const std::vector<RoutingReport> &) {}
    virtual void clusters(int64_t step, const std::string &probe,
                          const std::vector<ClusterReport> &) {}
    virtual void evalResults(const std::vector<EvalRecord> &) {}
    virtual void checkpointSaved(int64_t step, const std::string &path, const std::string &sha256,
                                 int64_t bytes) {}
    virtual void artifactSaved(const std::string &kind, const std::string &path,
                               const std::string &sha256, int64_t bytes) {}
    virtual void progress(const ProgressInfo &) {}
    virtual void log(const std::string &line) {}
};

// Forwards every event to several observers (e.g. the recorder and a progress printer).
class ObserverFanout : public RunObserver
{
public:
    explicit ObserverFanout(std::vector<RunObserver *> observers)
        : m_observers(std::move(observers))
    {}
    void prepared(const RunPrepared &p) override
    {
        for (auto *o : m_observers)
            o->prepared(p);
    }
    void metrics(const std::vector<MetricSample> &m) override
    {
        for (auto *o : m_observers)
            o->metrics(m);
    }
    void routing(int64_t step, const std::string &probe,
                 const std::vector<RoutingReport> &r) override
    {
        for (auto *o : m_observers)
            o->routing(step, probe, r);
    }
    void clusters(int64_t step, const std::string &probe,
                  const std::vector<ClusterReport> &c) override
    {
        for (auto *o : m_observers)
            o->clusters(step, probe, c);
    }
    void evalResults(const std::vector<EvalRecord> &e) override
    {
        for (auto *o : m_observers)
            o->evalResults(e);
    }
    void checkpointSaved(int64_t step, const std::string &path, const std::string &sha,
                         int64_t bytes) override
    {
        for (auto *o : m_observers)
            o->checkpointSaved(step, path, sha, bytes);
    }
    void artifactSaved(const std::string &kind, const std::string &path, const std::string &sha,
                       int64_t bytes) override
    {
        for (auto *o : m_observers)
            o->artifactSaved(kind, path, sha, bytes);
    }
    void progress(const ProgressInfo &p) override
    {
        for (auto *o : m_observers)
            o->progress(p);
    }
    void log(const std::string &line) override
    {
        for (auto *o : m_observers)
            o->log(line);
    }

private:
    std::vector<RunObserver *> m_observers;
};

} // namespace slim::engine
