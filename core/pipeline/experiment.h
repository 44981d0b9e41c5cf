#pragma once
// The one entry point of a fine-tuning run, whoever starts it (slimctl or the GUI's job
// thread): load the base model, build the tasks, score the references, attach the method,
// train with scheduled evaluation, score the full test sets. Synchronous; reports through the
// observer; polls the stop token at every step, eval batch and checkpoint boundary. Errors
// become a Failed outcome with a user message and the technical detail; nothing throws.

#include "events/run_observer.h"
#include "pipeline/run_spec.h"
#include "pipeline/suite_evaluator.h"
#include "data/data_locator.h"

#include <filesystem>
#include <optional>
#include <stop_token>
#include <vector>

namespace slim::engine {

struct ExperimentContext
{
    RunSpec spec;
    std::filesystem::path run_dir;          // checkpoints and artifacts of this run
    std::filesystem::path builtin_model_dir; // where "builtin" resolves to
    data::DataLocator locator = data::DataLocator::fromEnvironment();
    ScoreCache *score_cache = nullptr;      // base-score cache (may be null)
    // The run's checkpoints, newest first, when it resumes: it continues from the first one
    // that is intact (checkpoint_manifest.h), saying which were damaged; from the beginning
    // when none is.
    std::vector<std::filesystem::path> resume_checkpoints;
    std::string device;                     // "" = CUDA when available, else CPU
};

RunOutcome runExperiment(const ExperimentContext &context, RunObserver &observer,
                         std::stop_token stop);

// "cuda" when LibTorch sees a GPU, else "cpu"; or the requested device.
torch::Device chooseDevice(const std::string &requested);

// The dtype a base model is loaded in: `requested` ("bf16", "f16", "f32") when given; else
// the checkpoint's own (config torch_dtype) on a GPU, float32 on a CPU (half-precision matrix
// products are slow or missing on CPUs).
torch::ScalarType chooseDtype(const std::string &requested, torch::Device device,
                              const LlamaConfig &config);

// Versions recorded with every run.
std::map<std::string, std::string> engineVersions();

} // namespace slim::engine
