#include "commands.h"

#include "model/byte_tokenizer.h"
#include "model/causal_lm.h"
#include "model/generation.h"
#include "model/model_io.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cmath>
#include <iostream>
#include <thread>

namespace slim::cli {

namespace fs = std::filesystem;
using namespace slim::engine;

namespace {

torch::Device pickDevice()
{
    return torch::cuda::is_available() ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
}

int runInfo()
{
    std::cout << "SLIM Workbench " << "0.1.0\n"
              << "LibTorch " << TORCH_VERSION << "\n"
              << "device " << pickDevice().str() << "\n"
              << "intra-op threads " << torch::get_num_threads() << "\n";
    return 0;
}

struct InitOptions
{
    std::string out;
    LlamaConfig config;
    uint64_t seed = 0;
};

int runInitModel(const InitOptions &o)
{
    torch::manual_seed(o.seed);
    CausalLm model(o.config);
    saveModel(model, o.out);
    ByteTokenizer().save(o.out);
    int64_t params = 0;
    for (auto &p : model->parameters())
        params += p.numel();
    std::cout << "wrote " << o.out << " (" << params << " parameters, untrained)\n";
    return 0;
}

int runScore(const std::string &modelDir, const std::string &text, bool json)
{
    auto model = loadModel(modelDir, pickDevice());
    model->eval();
    auto tokenizer = ByteTokenizer::load(modelDir);
    auto ids = tokenizer.encode(text, true);
    torch::InferenceMode guard;
    auto input = torch::tensor(ids, torch::kLong).unsqueeze(0).to(model->device());
    auto logProbs = tokenLogProbs(model, input).squeeze(0).cpu();
    double nats = 0;
    nlohmann::json values = nlohmann::json::array();
    for (size_t i = 0; i < ids.size(); ++i) {
        const double lp = logProbs[int64_t(i)].item<double>();
        if (i == 0) {
            values.push_back(nullptr);
            continue;
        }
        values.push_back(lp);
        nats -= lp;
    }
    const size_t bytes = text.size();
    const double bitsPerByte = bytes ? nats / std::log(2.0) / double(bytes) : 0.0;
    if (json) {
        std::cout << nlohmann::json{{"tokens", ids}, {"logprobs", values},
                                    {"bits_per_byte", bitsPerByte}}
                         .dump()
                  << "\n";
        return 0;
    }
    for (size_t i = 1; i < ids.size(); ++i)
        std::cout << i << "\t" << ids[i] << "\t" << values[i].get<double>() << "\n";
    std::cout << "bits per byte: " << bitsPerByte << "\n";
    return 0;
}

int runGenerate(const std::string &modelDir, const std::string &prompt,
                const GenerationOptions &options)
{
    auto model = loadModel(modelDir, pickDevice());
    model->eval();
    auto tokenizer = ByteTokenizer::load(modelDir);
    auto opts = options;
    opts.stop_token_ids = {ByteTokenizer::kEos};
    opts.pad_token_id = ByteTokenizer::kPad;
    auto out = generate(model, {tokenizer.encode(prompt, true)}, opts);
    std::cout << prompt << tokenizer.decode(out.front()) << "\n";
    return 0;
}

} // namespace

int runSlimctl(int argc, char **argv)
{
    torch::set_num_threads(int(std::max(1u, std::thread::hardware_concurrency())));
    CLI::App app{"slimctl: train, evaluate and compare SLIM and its baselines, headless"};
    app.require_subcommand(1);

    auto *info = app.add_subcommand("info", "Print versions, device and threads");

    InitOptions init;
    auto *initCmd = app.add_subcommand("init-model", "Write an untrained Llama-architecture "
                                                     "model with the byte tokenizer");
    initCmd->add_option("--out", init.out, "Model folder to write")->required();
    initCmd->add_option("--hidden-size", init.config.hidden_size)->capture_default_str();
    initCmd->add_option("--intermediate-size", init.config.intermediate_size)->capture_default_str();
    initCmd->add_option("--layers", init.config.num_hidden_layers)->capture_default_str();
    initCmd->add_option("--heads", init.config.num_attention_heads)->capture_default_str();
    initCmd->add_option("--kv-heads", init.config.num_key_value_heads)->capture_default_str();
    initCmd->add_option("--seed", init.seed)->capture_default_str();

    std::string modelDir, text;
    bool json = false;
    auto *score = app.add_subcommand("score", "Per-token log-probabilities and bits per byte");
    score->add_option("--model", modelDir, "Model folder (Hugging Face layout)")->required();
    score->add_flag("--json", json, "Print {\"tokens\": [...], \"logprobs\": [...]}");
    score->add_option("text", text, "Text to score")->required();

    GenerationOptions gen;
    auto *generateCmd = app.add_subcommand("generate", "Continue a prompt");
    generateCmd->add_option("--model", modelDir, "Model folder")->required();
    generateCmd->add_option("--max-new-tokens", gen.max_new_tokens)->capture_default_str();
    generateCmd->add_flag("--sample", gen.do_sample, "Sample instead of greedy decoding");
    generateCmd->add_option("--temperature", gen.temperature)->capture_default_str();
    generateCmd->add_option("--top-k", gen.top_k)->capture_default_str();
    generateCmd->add_option("--top-p", gen.top_p)->capture_default_str();
    generateCmd->add_option("--seed", gen.seed)->capture_default_str();
    generateCmd->add_option("prompt", text, "Prompt")->required();

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError &e) {
        return app.exit(e);
    }
    try {
        if (info->parsed())
            return runInfo();
        if (initCmd->parsed()) {
            init.config.num_key_value_heads = std::min(init.config.num_key_value_heads,
                                                       init.config.num_attention_heads);
            return runInitModel(init);
        }
        if (score->parsed())
            return runScore(modelDir, text, json);
        if (generateCmd->parsed())
            return runGenerate(modelDir, text, gen);
    } catch (const std::exception &e) {
        std::cerr << "slimctl: error: " << e.what() << "\n";
        return 1;
    }
    return 0;
}

} // namespace slim::cli
