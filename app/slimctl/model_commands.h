#pragma once
// slimctl info / init-model / score / generate: work on a model folder directly.

#include "command_args.h"

#include "model/generation.h"
#include "model/llama_config.h"

namespace slim::cli {

struct InitModelArgs
{
    std::string out;
    engine::LlamaConfig config;
    uint64_t seed = 0;
};

int cmdInfo(const GlobalOptions &g);
int cmdInitModel(const InitModelArgs &a);
struct ScoreArgs
{
    ModelArgs model;
    std::string text; // scored with the model's tokenizer (BOS first)
    std::string ids;  // or these token ids, as given
};

struct GenerateArgs
{
    ModelArgs model;
    std::string prompt;
    engine::GenerationOptions options;
};

int cmdScore(const GlobalOptions &g, const ScoreArgs &a);
int cmdGenerate(const GlobalOptions &g, const GenerateArgs &a);

} // namespace slim::cli
