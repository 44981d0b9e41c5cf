#include "suite_evaluator.h"

#include "train/rng_state.h"
#include "model/model_io.h"

#include <torch/torch.h>

#include <chrono>

namespace slim::engine {

namespace {

std::string scoreId(const std::string &split, const std::string &task, const ScoreRow &row)
{
    return split + "|" + task + "|" + row.metric + "|" + std::string(scoringModeName(row.mode));
}

ChoiceMode choiceMode(const std::string &name)
{
    return name == "label_logits" ? ChoiceMode::LabelLogits
           : name == "both"       ? ChoiceMode::Both
                                  : ChoiceMode::LogLikelihood;
}

} // namespace

SuiteEvaluator::SuiteEvaluator(std::vector<data::Task> tasks, tok::Tokenizer tokenizer,
                               EvalPlan plan, RunObserver &observer, ScoreCache *cache)
    : m_tasks(std::move(tasks))
    , m_plan(std::move(plan))
    , m_observer(observer)
    , m_cache(cache)
    , m_tokenizer(std::move(tokenizer))
{}

std::string SuiteEvaluator::splitName(bool full) const
{
    return full ? "test"
                : "probe" + std::to_string(m_plan.probe_items) + "-"
                      + std::to_string(m_plan.probe_texts);
}

TaskScoreKey SuiteEvaluator::key(const std::string &hash, const data::Task &task, bool full) const
{
    return {hash, task.name, splitName(full), task.version + ":" + task.sha256.substr(0, 16)};
}

std::vector<ScoreRow> SuiteEvaluator::scoreTask(CausalLm &model, const data::Task &task,
                                                bool full, std::stop_token stop,
                                                const std::string &phase, size_t index,
                                                size_t count)
{
    ScopedSeed seed(m_plan.seed); // evaluation never disturbs training's random stream
    const auto started = std::chrono::steady_clock::now();
    EvalOptions options;
    options.choice_mode = choiceMode(m_plan.choice_mode);
    options.max_items = full ? 0
                        : task.kind == data::TaskKind::Text ? m_plan.probe_texts
                                                            : m_plan.probe_items;
    // Generation: room for the longest target plus a margin, not a fixed 64 tokens.
    size_t longestTarget = 0;
    for (const auto &item : task.generationTest)
        longestTarget = std::max(longestTarget, item.target.size());
    options.max_new_tokens = int64_t(2 * longestTarget + 8);
    // Bits per byte over consecutive full-context windows: lm-eval's loglikelihood_rolling.
    options.bpb_stride = model->config().max_position_embeddings;
    options.batch_size = m_plan.batch_size;
    options.should_stop = [&stop] { return stop.stop_requested(); };
    options.on_progress = [&](int64_t done, int64_t total) {
        ProgressInfo p;
        p.phase = phase + ": " + task.name + " (" + std::to_string(index + 1) + "/"
                  + std::to_string(count) + ")";
        p.done = done;
        p.total = total;
        const double elapsed
            = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        p.rate = elapsed > 0 ? double(done) / elapsed : 0;
        p.rate_unit = "seq/s";
        p.eta_seconds = p.rate > 0 ? double(total - done) / p.rate : -1;
        m_observer.progress(p);
    };
    auto scores = evaluateTask(model, m_tokenizer, task, options);
    if (scores.cancelled)
        return {};
    std::vector<ScoreRow> rows;
    for (const auto &mode : scores.modes) {
        for (const auto &metric : mode.metrics)
            rows.push_back({metric.name, mode.mode, mode.template_hash,
                            mode.shots, metric.value, metric.std_error, mode.n});
    }
    return rows;
}

std::map<std::string, ScoreRow> SuiteEvaluator::referenceScores(CausalLm &model,
                                                                const std::string &hash,
                                                                std::stop_token stop,
                                                                const std::string &phase)
{
    std::map<std::string, ScoreRow> out;
    model->eval();
    for (bool full : {false, true}) {
        for (size_t i = 0; i < m_tasks.size(); ++i) {
            const auto &task = m_tasks[i];
            const auto k = key(hash, task, full);
            std::optional<std::vector<ScoreRow>> rows;
            if (m_cache)
                rows = m_cache->find(k);
            if (!rows) {
                rows = scoreTask(model, task, full, stop, phase, i, m_tasks.size());
                if (stop.stop_requested())
                    return out;
                if (m_cache)
                    m_cache->put(k, *rows);
            }
            for (const auto &row : *rows)
                out[scoreId(k.split, task.name, row)] = row;
        }
    }
    return out;
}

void SuiteEvaluator::scoreReferences(CausalLm &base, const std::string &baseHash,
                                     std::stop_token stop)
{
    // Scored into the cache (the run store's base_scores), where every reader of the run's
    // forgetting finds them (core/scores).
    referenceScores(base, baseHash, stop, "base model eval");
    if (!stop.stop_requested())
        scoreFloor(base->config(), base->device(), base->lmHeadWeight().scalar_type(), stop);
}

void SuiteEvaluator::scoreFloor(const LlamaConfig &config, torch::Device device,
                                torch::ScalarType dtype, std::stop_token stop)
{
    CausalLm untrained(nullptr);
    {
        // Drawn straight on the device in the base's dtype: no float32 host copy of a large model.
        ScopedSeed seed(0);
        ParameterInit init;
        init.options = torch::TensorOptions().dtype(dtype).device(device);
        untrained = CausalLm(config, init);
    }
    // The key names what the numbers depend on: the shape, and where and in what they ran.
    const auto where = device.is_cpu() && dtype == torch::kFloat
                           ? std::string()
                           : ":" + device.str() + ":" + dtypeName(dtype);
    m_floor = referenceScores(untrained, "untrained:" + config.toJson().dump() + where, stop,
                              "untrained model eval");
}

bool SuiteEvaluator::scoreRun(CausalLm &model, AdapterSetImpl *adapters, int64_t step,
                              bool final, bool full, std::stop_token stop)
{
    std::vector<EvalRecord> records;
    for (bool general : {true, false}) {
        std::vector<const data::Task *> suite;
        for (const auto &t : m_tasks) {
            if (t.general == general)
                suite.push_back(&t);
        }
        if (suite.empty())
            continue;
        const std::string probe = general ? "general" : "downstream";
        if (adapters) {
            adapters->takeRoutingReports(); // start clean windows for this suite
            adapters->takeClusterReports();
        }
        for (size_t i = 0; i < suite.size(); ++i) {
            const auto &task = *suite[i];
            auto rows = scoreTask(model, task, full, stop, full ? "final eval" : "eval", i,
                                  suite.size());
            if (stop.stop_requested())
                return false;
            const auto k = key("", task, full);
            for (const auto &row : rows) {
                EvalRecord r;
                r.step = step;
                r.task = task.name;
                r.general = task.general;
                r.split = k.split;
                r.metric = row.metric;
                r.mode = row.mode;
                r.value = row.value;
                r.stderr_ = row.std_error;
                r.n = row.n;
                r.template_hash = row.template_hash;
                r.shots = row.shots;
                r.task_version = k.task_version;
                r.is_final = final;
                const auto id = scoreId(k.split, task.name, row);
                if (auto it = m_floor.find(id); it != m_floor.end())
                    r.floor = it->second.value;
                records.push_back(r);
            }
        }
        if (adapters) {
            auto routing = adapters->takeRoutingReports();
            if (!routing.empty())
                m_observer.routing(step, probe, routing);
            auto clusters = adapters->takeClusterReports();
            if (!clusters.empty())
                m_observer.clusters(step, probe, clusters);
        }
    }
    m_observer.evalResults(records);
    return true;
}

} // namespace slim::engine
