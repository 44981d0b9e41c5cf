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
int cmdScore(const GlobalOptions &g, const std::string &modelDir, const std::string &text);
int cmdGenerate(const GlobalOptions &g, const std::string &modelDir, const std::string &prompt,
                const engine::GenerationOptions &options);

} // namespace slim::cli
