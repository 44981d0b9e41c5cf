#pragma once
// What the engine benchmarks (bench_layers, bench_train, bench_eval) share besides the timing
// harness: their thread count and the model they run.

#include "bench_harness.h"

#include "jobs/run_jobs.h"
#include "jobs/workbench_paths.h"
#include "model/model_io.h"
#include "pipeline/pretraining.h"

#include <torch/torch.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <thread>

namespace slim::bench {

// --threads=N, default every hardware thread (as the workbench's jobs run); returns it.
inline int setEngineThreads(const Args &args)
{
    const int threads
        = int(args.getInt("threads", std::max(1u, std::thread::hardware_concurrency())));
    torch::set_num_threads(threads);
    return threads;
}

// --model=DIR|random: a model folder (any Hugging Face model), or by default the built-in model
// where the workbench keeps it (WorkbenchPaths) when it is built (its weights make routing
// realistic), else the same configuration initialised at random (speed does not depend on the
// weights). `used` says which.
inline engine::CausalLm loadBenchModel(const std::string &source, std::string *used)
{
    // A folder given by the user is loaded as it is (any Hugging Face model) or refused. The
    // default is the built-in model, installed from the shipped copy (resources/base-model) when
    // the workbench has none yet, as the PyTorch baselines find it; random only when asked.
    if (!source.empty() && source != "random") {
        if (!std::filesystem::exists(std::filesystem::path(source) / "config.json"))
            throw std::invalid_argument("--model=" + source + ": no config.json (not a model "
                                        "folder)");
        *used = source;
        return engine::loadModel(source);
    }
    const auto paths = jobs::WorkbenchPaths::resolve();
    if (source.empty() && jobs::builtinModelReady(paths)) {
        *used = paths.builtin_model.string();
        return engine::loadModel(paths.builtin_model);
    }
    *used = "random init of PretrainPlan::builtin().model";
    torch::manual_seed(1);
    return engine::CausalLm(engine::PretrainPlan::builtin().model);
}

} // namespace slim::bench
