#pragma once
// What a training job will hold in memory at its peak, estimated from the model's config, the
// method and the schedule before anything is loaded (so a job that cannot fit says so before it
// starts). std-only. The estimate is checked against peaks measured by MemoryTracker in
// bench/bench_memory (docs/benchmarks.md reports the ratios).

#include "adapters/adapter_config.h"
#include "common/file_writes.h"
#include "model/llama_config.h"
#include "train/train_options.h"

#include <cstdint>
#include <string>

namespace slim::engine {

struct MemoryEstimate
{
    std::int64_t weights = 0;     // the base model's weights in their dtype
    std::int64_t adapters = 0;    // trainable parameters (float32) and adapter buffers
    std::int64_t gradients = 0;   // one float32 gradient per trainable parameter
    std::int64_t optimizer = 0;   // AdamW's two float32 moments per trainable parameter
    std::int64_t activations = 0; // one micro-batch of full-length examples, forward + backward
    std::int64_t trainable_parameters = 0;
    std::int64_t base_parameters = 0;

    std::int64_t total() const { return weights + adapters + gradients + optimizer + activations; }
};

// `baseDtype`: "float32", "bfloat16" or "float16" (the dtype the base is loaded in; full
// fine-tuning trains in float32). Activations are those of one micro-batch of
// batch_size / grad_accum examples of max_length tokens.
MemoryEstimate estimateTrainingMemory(const LlamaConfig &config, const AdapterConfig &adapter,
                                      const TrainOptions &options, const std::string &baseDtype);

// The memory a job may use on `device` ("cpu", "cuda:0"): on a CPU the memory available now
// (availableHostMemory: MemAvailable within the cgroup's and ulimit's limits); on a GPU the free memory the CUDA runtime reports (cudaFreeMemory); -1 when
// unknown (no CUDA runtime, no such device, a malformed device index).
std::int64_t availableDeviceMemory(const std::string &device);

// "1.21 GiB" (IEC units, two decimals, as the window's QLocale::formattedDataSize).
using common::formatBytes;

} // namespace slim::engine
