#include "model_commands.h"

#include "adapters/adapter_set.h"
#include "data/task_catalog.h"
#include "eval/evaluator.h"
#include "model/byte_tokenizer.h"
#include "model/causal_lm.h"
#include "model/model_io.h"
#include "pipeline/experiment.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cmath>
#include <iostream>

namespace slim::cli {

using namespace slim::engine;

int cmdInfo(const GlobalOptions &g)
{
    nlohmann::json info = {{"versions", engineVersions()},
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
    ByteTokenizer().save(a.out);
    int64_t params = 0;
    for (auto &p : model->parameters())
        params += p.numel();
    std::cout << "wrote " << a.out << " (" << params << " parameters, untrained)\n";
    return 0;
}

int cmdScore(const GlobalOptions &g, const std::string &modelDir, const std::string &text)
{
    auto model = loadModel(modelDir, chooseDevice(g.device));
    model->eval();
    auto tokenizer = ByteTokenizer::load(modelDir);
    auto ids = tokenizer.encode(text, true);
    torch::InferenceMode guard;
    auto input = torch::tensor(ids, torch::kLong).unsqueeze(0).to(model->device());
    auto logProbs = tokenLogProbs(model, input).squeeze(0).cpu();
    double nats = 0;
    nlohmann::json values = nlohmann::json::array();
    values.push_back(nullptr); // nothing predicts the first token
    for (size_t i = 1; i < ids.size(); ++i) {
        const double lp = logProbs[int64_t(i)].item<double>();
        values.push_back(lp);
        nats -= lp;
    }
    const double bitsPerByte = text.empty() ? 0.0 : nats / std::log(2.0) / double(text.size());
    if (g.json) {
        std::cout << nlohmann::json{{"tokens", ids}, {"logprobs", values},
                                    {"bits_per_byte", bitsPerByte}}
                         .dump()
                  << "\n";
        return 0;
    }
    std::cout << "pos\ttoken\tlogprob\n";
    for (size_t i = 1; i < ids.size(); ++i)
        std::cout << i << "\t" << ids[i] << "\t" << values[i].get<double>() << "\n";
    std::cout << "bits per byte: " << bitsPerByte << "\n";
    return 0;
}

int cmdGenerate(const GlobalOptions &g, const std::string &modelDir, const std::string &prompt,
                const GenerationOptions &options)
{
    auto model = loadModel(modelDir, chooseDevice(g.device));
    model->eval();
    auto tokenizer = ByteTokenizer::load(modelDir);
    auto opts = options;
    opts.stop_token_ids = {ByteTokenizer::kEos};
    opts.pad_token_id = ByteTokenizer::kPad;
    auto out = generate(model, {tokenizer.encode(prompt, true)}, opts);
    const auto text = tokenizer.decode(out.front());
    if (g.json)
        std::cout << nlohmann::json{{"prompt", prompt}, {"completion", text},
                                    {"tokens", out.front()}}
                         .dump()
                  << "\n";
    else
        std::cout << prompt << text << "\n";
    return 0;
}

int cmdEval(const GlobalOptions &g, const EvalArgs &a)
{
    auto model = loadModel(a.model, chooseDevice(g.device));
    AdapterSet adapters(nullptr);
    if (!a.adapter.empty())
        adapters = loadAdapters(a.adapter, model);
    model->eval();
    if (adapters)
        adapters->eval();
    auto locator = data::DataLocator::fromEnvironment();
    auto names = a.tasks.empty() ? data::taskNames() : a.tasks;
    EvalOptions options;
    options.choice_mode = a.mode == "label_logits" ? ChoiceMode::LabelLogits
                          : a.mode == "both"       ? ChoiceMode::Both
                                                   : ChoiceMode::LogLikelihood;
    options.max_items = a.maxItems;
    options.batch_size = 32;
    nlohmann::json out = nlohmann::json::array();
    for (const auto &name : names) {
        auto task = data::buildTask(name, locator);
        auto scores = evaluateTask(model, ByteTokenizer(), task, options);
        for (const auto &mode : scores.modes) {
            for (const auto &m : mode.metrics) {
                out.push_back({{"task", name}, {"mode", scoringModeName(mode.mode)},
                               {"metric", m.name}, {"value", m.value}, {"stderr", m.std_error},
                               {"n", mode.n}, {"template_hash", mode.template_hash}});
                if (!g.json)
                    std::printf("%-16s %-14s %-14s %8.4f ± %.4f  (n=%lld)\n", name.c_str(),
                                scoringModeName(mode.mode).c_str(), m.name.c_str(), m.value,
                                m.std_error, static_cast<long long>(mode.n));
            }
        }
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
