#pragma once
// What the engine benchmarks (bench_layers, bench_train, bench_eval) share besides the timing
// harness: their thread count and the model they run.

#include "bench_harness.h"

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

// --model=DIR|random: the built-in model where the workbench keeps it (WorkbenchPaths) when
// `source` is empty and the model is built (its weights make routing realistic), else the
// same configuration initialised at random (speed does not depend on the weights). `used`
// says which.
inline engine::CausalLm loadBenchModel(const std::string &source, std::string *used)
{
    const auto dir = source.empty() ? jobs::WorkbenchPaths::resolve().builtin_model
                                    : std::filesystem::path(source);
    if (source != "random" && engine::isCompleteModel(dir)) {
        *used = dir.string();
        return engine::loadModel(dir);
    }
    *used = "random init of PretrainPlan::builtin().model";
    torch::manual_seed(1);
    return engine::CausalLm(engine::PretrainPlan::builtin().model);
}

} // namespace slim::bench
