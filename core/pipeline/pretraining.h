#pragma once
// Builds the workbench's own base model: a small Llama-architecture model pretrained from a
// seed on public-domain text and general-knowledge facts (see data/pretrain_corpus.h), saved in
// the Hugging Face layout. Budgeted in steps, not seconds: memorising the facts is a sharp
// transition, so a slower machine must still run every step.

#include "model/llama_config.h"
#include "events/run_observer.h"
#include "train/train_options.h"
#include "data/data_locator.h"
#include "data/pretrain_corpus.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <stop_token>

namespace slim::engine {

struct PretrainPlan
{
    LlamaConfig model;         // 4 layers, d = 192, 6 heads, SwiGLU 512, context 128
    TrainOptions schedule;     // 2000 steps x 32 rows, lr 2e-3, warm-up 50, cosine to 10 %
    data::PretrainOptions corpus;
    uint64_t seed = 1;

    static PretrainPlan builtin(); // the demo's model (about 19 minutes on 2 cores)
    nlohmann::json toJson() const;
};

// Trains and writes `outDir` (config.json, model.safetensors, slim_tokenizer.json,
// slim_pretrain.json with the plan and the general-suite scores); the folder appears only when
// complete. Checkpoints go to workDir. Reports general-suite EvalRecords (with the untrained
// model's floor) after training.
RunOutcome runPretraining(const PretrainPlan &plan, const std::filesystem::path &outDir,
                          const std::filesystem::path &workDir, const data::DataLocator &locator,
                          RunObserver &observer, std::stop_token stop,
                          const std::optional<std::filesystem::path> &resume = {},
                          const std::string &device = "");

// True when `dir` holds a complete built-in model.
bool isCompleteModel(const std::filesystem::path &dir);

// SHA-256 of PretrainPlan::builtin()'s JSON: the recipe of the built-in model. Every model
// runPretraining writes records it (a steps override, `slimctl pretrain --steps`, keeps it), so a
// change of the recipe in the code makes older models stale.
std::string builtinRecipeSha256();
// True when `dir` holds a complete model written under the current recipe; with `exact`, also
// with the recipe's own plan (no override), as the copy shipped in resources/base-model must be.
bool isCurrentBuiltinModel(const std::filesystem::path &dir, bool exact = false);

} // namespace slim::engine
