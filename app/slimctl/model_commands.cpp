#include "model_commands.h"

#include "token_ids.h"

#include "adapters/adapter_set.h"
#include "data/task_catalog.h"
#include "eval/evaluator.h"
#include "model/causal_lm.h"
#include "model/model_io.h"
#include "pipeline/experiment.h"
#include "progress_printer.h"
#include "suites/suite_tasks.h"
#include "store/database.h"
#include "tokenizer/builtin_tokenizer.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <iostream>

namespace slim::cli {

using namespace slim::engine;

int cmdInfo(const GlobalOptions &g)
{
    auto versions = engineVersions();
    versions["sqlite"] = store::sqliteLibraryVersion();
    nlohmann::json info = {{"versions", versions},
                           {"device", chooseDevice(g.device).str()},
                           {"intra_op_threads", torch::get_num_threads()}};
    if (g.json) {
        std::cout << info.dump(2) << "\n";
        return 0;
    }
    std::cout << "SLIM Workbench " << info["versions"]["slim_workbench"].get<std::string>() << "\n"
              << "LibTorch " << TORCH_VERSION << ", SQLite "
              << info["versions"]["sqlite"].get<std::string>() << "\n"
              << "device " << info["device"].get<std::string>() << ", intra-op threads "
              << torch::get_num_threads() << "\n";
    return 0;
}

int cmdInitModel(const InitModelArgs &a)
{
    auto config = a.config;
    if (config.num_key_value_heads <= 0)
        config.num_key_value_heads = config.num_attention_heads;
    torch::manual_seed(a.seed);
    CausalLm model(config);
    saveModel(model, a.out);
    tok::writeBuiltinTokenizer(a.out);
    int64_t params = 0;
    for (auto &p : model->parameters())
        params += p.numel();
    std::cout << "wrote " << a.out << " (" << params << " parameters, untrained)\n";
    return 0;
}

namespace {

// The base model (and adapter) a command scores with: on the chosen device, in float32 on a
// CPU and the checkpoint's dtype on a GPU unless --dtype says otherwise.
struct LoadedModel
{
    CausalLm model{nullptr};
    AdapterSet adapters{nullptr};
};

LoadedModel loadForInference(const GlobalOptions &g, const ModelArgs &a)
{
    const auto device = chooseDevice(g.device);
    const auto config = loadConfig(a.model);
    const auto dtype = chooseDtype(a.dtype, device, config);
    std::vector<std::string> warnings;
    LoadedModel out;
    out.model = loadModel(a.model, device, dtype, &warnings);
    for (const auto &w : warnings)
        std::cerr << "slimctl: warning: " << w << "\n";
    if (!a.adapter.empty())
        out.adapters = loadAdapters(a.adapter, out.model);
    out.model->eval();
    if (out.adapters)
        out.adapters->eval();
    // SLIM samples its merge masks at inference (inference_mask "sample"): scoring draws from a
    // fixed random state, the same as a run's evaluations, so the same command gives the same
    // numbers in every process.
    torch::manual_seed(a.seed ? *a.seed : EvalPlan{}.seed);
    return out;
}

// Token ids from --ids ("1 2 3" or "1,2,3"); each must be in the vocabulary.
std::vector<int64_t> parseIds(const std::string &text, int64_t vocab)
{
    const auto ids = parseTokenIds(text, "--ids");
    for (const auto id : ids) {
        if (id >= vocab)
            throw std::invalid_argument("--ids: '" + std::to_string(id)
                                        + "' is not a token id of this model (0.."
                                        + std::to_string(vocab - 1) + ")");
    }
    if (ids.empty())
        throw std::invalid_argument("--ids: no token ids given");
    return ids;
}

tok::Tokenizer tokenizerOf(const LoadedModel &loaded, const std::string &modelDir)
{
    try {
        return tok::Tokenizer::forModel(modelDir, loaded.model->config().vocab_size);
    } catch (const std::exception &e) {
        throw std::invalid_argument(std::string(e.what()) + "; pass token ids with --ids");
    }
}

} // namespace

int cmdScore(const GlobalOptions &g, const ScoreArgs &a)
{
    auto loaded = loadForInference(g, a.model);
    const bool fromText = a.ids.empty();
    const auto ids = fromText ? tokenizerOf(loaded, a.model.model).encode(a.text, true)
                              : parseIds(a.ids, loaded.model->config().vocab_size);
    torch::InferenceMode guard;
    auto input = torch::tensor(ids, torch::kLong).unsqueeze(0).to(loaded.model->device());
    auto logProbs = tokenLogProbs(loaded.model, input).squeeze(0).to(torch::kDouble).cpu();
    double nats = 0;
    nlohmann::json values = nlohmann::json::array();
    values.push_back(nullptr); // nothing predicts the first token
    for (size_t i = 1; i < ids.size(); ++i) {
        const double lp = logProbs[int64_t(i)].item<double>();
        values.push_back(lp);
        nats -= lp;
    }
    nlohmann::json out = {{"tokens", ids}, {"logprobs", values}, {"sum_logprob", -nats}};
    const double bitsPerByte = a.text.empty() ? 0.0 : nats / std::log(2.0) / double(a.text.size());
    if (fromText)
        out["bits_per_byte"] = bitsPerByte;
    if (g.json) {
        std::cout << out.dump() << "\n";
        return 0;
    }
    std::cout << "pos\ttoken\tlogprob\n";
    for (size_t i = 1; i < ids.size(); ++i)
        std::cout << i << "\t" << ids[i] << "\t" << values[i].get<double>() << "\n";
    std::cout << "sum of log-probabilities: " << -nats << "\n";
    if (fromText)
        std::cout << "bits per byte: " << bitsPerByte << "\n";
    return 0;
}

int cmdGenerate(const GlobalOptions &g, const GenerateArgs &a)
{
    auto loaded = loadForInference(g, a.model);
    const auto tokenizer = tokenizerOf(loaded, a.model.model);
    auto opts = a.options;
    if (const auto eos = tokenizer.eosId())
        opts.stop_token_ids = {*eos};
    opts.pad_token_id = tokenizer.paddingId();
    auto out = generate(loaded.model, {tokenizer.encode(a.prompt, true)}, opts);
    const auto text = tokenizer.decode(out.front(), true);
    if (g.json)
        std::cout << nlohmann::json{{"prompt", a.prompt}, {"completion", text},
                                    {"tokens", out.front()}}
                         .dump()
                  << "\n";
    else
        std::cout << a.prompt << text << "\n";
    return 0;
}

namespace {

// The tasks of `slimctl eval`: a suite's (read and checked before any model is loaded) or the
// built-in ones.
std::vector<data::Task> evalTasks(const EvalArgs &a)
{
    if (!a.suite.empty()) {
        if (a.data.empty())
            throw std::invalid_argument("eval: --suite " + a.suite + " needs --data FILE");
        return suites::suiteTasks({a.suite, a.data, a.fewshotData, a.shots, a.limit});
    }
    const auto locator = data::DataLocator::fromEnvironment();
    std::vector<data::Task> tasks;
    for (const auto &name : a.tasks.empty() ? data::taskNames() : a.tasks)
        tasks.push_back(data::buildTask(name, locator));
    return tasks;
}

// One line of --samples.
nlohmann::json sampleJson(const std::string &task, const std::string &mode, const SampleLog &s)
{
    nlohmann::json j = {{"task", task}, {"mode", mode}, {"doc_id", s.doc_id},
                        {"target", s.target}, {"prediction", s.prediction}, {"scores", s.scores}};
    if (s.gold >= 0) {
        j["gold"] = s.gold;
        j["loglikelihoods"] = s.loglikelihoods;
        j["predicted"] = s.predicted;
    }
    if (!s.is_greedy.empty())
        j["is_greedy"] = s.is_greedy;
    return j;
}

void printScore(const std::string &task, const std::string &mode, const MetricScore &m,
                int64_t n, int64_t shots)
{
    std::printf("%-24s %-14s %-30s %8.4f ± %.4f  (n=%lld, shots=%lld)\n", task.c_str(),
                mode.c_str(), m.name.c_str(), m.value, m.std_error, static_cast<long long>(n),
                static_cast<long long>(shots));
}

} // namespace

int cmdEval(const GlobalOptions &g, const EvalArgs &a)
{
    const auto tasks = evalTasks(a);
    auto loaded = loadForInference(g, a.model);
    auto &model = loaded.model;
    const auto tokenizer = tokenizerOf(loaded, a.model.model);
    EvalOptions options;
    options.choice_mode = a.mode == "label_logits" ? ChoiceMode::LabelLogits
                          : a.mode == "both"       ? ChoiceMode::Both
                                                   : ChoiceMode::LogLikelihood;
    options.max_items = a.maxItems;
    options.batch_size = 32;
    options.keep_samples = !a.samples.empty();
    std::ofstream samples;
    if (!a.samples.empty()) {
        samples.open(a.samples);
        if (!samples)
            throw std::invalid_argument("eval: --samples " + a.samples + ": cannot write");
    }
    ProgressPrinter printer(g.quiet);
    nlohmann::json out = nlohmann::json::array();
    // mmlu's group score over its subjects, per (mode, metric).
    std::map<std::pair<std::string, std::string>, std::vector<GroupPart>> groups;
    for (size_t t = 0; t < tasks.size(); ++t) {
        const auto &task = tasks[t];
        const auto started = std::chrono::steady_clock::now();
        options.on_progress = [&](int64_t done, int64_t total) {
            const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now()
                                                                 - started).count();
            const double rate = seconds > 0 ? double(done) / seconds : 0;
            printer.progress({"eval " + task.name + " (" + std::to_string(t + 1) + "/"
                                  + std::to_string(tasks.size()) + ")",
                              done, total, rate, "seq/s",
                              rate > 0 ? double(total - done) / rate : -1});
        };
        auto scores = evaluateTask(model, tokenizer, task, options);
        printer.finishLine();
        for (const auto &mode : scores.modes) {
            const std::string modeName(scoringModeName(mode.mode));
            for (const auto &sample : mode.samples)
                samples << sampleJson(task.name, modeName, sample).dump(-1, ' ', false,
                                                                        nlohmann::json::error_handler_t::replace)
                        << "\n";
            for (const auto &m : mode.metrics) {
                out.push_back({{"task", task.name}, {"task_version", task.version},
                               {"mode", modeName}, {"metric", m.name}, {"value", m.value},
                               {"stderr", m.std_error}, {"n", mode.n}, {"shots", mode.shots},
                               {"template_hash", mode.template_hash}});
                if (!g.json)
                    printScore(task.name, modeName, m, mode.n, mode.shots);
                if (a.suite == "mmlu")
                    groups[{modeName, m.name}].push_back({m.value, m.std_error, mode.n});
            }
        }
    }
    for (const auto &[key, parts] : groups) {
        const auto m = pooledGroupMetric(key.second, parts);
        int64_t n = 0;
        for (const auto &part : parts)
            n += part.n;
        out.push_back({{"task", "mmlu"}, {"group", true}, {"subtasks", parts.size()},
                       {"mode", key.first}, {"metric", m.name}, {"value", m.value},
                       {"stderr", m.std_error}, {"n", n}});
        if (!g.json)
            printScore("mmlu (" + std::to_string(parts.size()) + " subjects)", key.first, m, n,
                       tasks.front().shots);
    }
    if (g.json)
        std::cout << out.dump(2) << "\n";
    return 0;
}

} // namespace slim::cli

namespace slim::cli {

int cmdPresets(const GlobalOptions &g)
{
    if (g.json) {
        nlohmann::json out;
        for (const auto &name : presetNames())
            out[name] = preset(name).toJson();
        std::cout << out.dump(2) << "\n";
        return 0;
    }
    for (const auto &name : presetNames())
        std::cout << name << "\n";
    return 0;
}

int cmdSchema()
{
    std::cout << runSpecSchemaJson().dump(2) << "\n";
    return 0;
}

} // namespace slim::cli
