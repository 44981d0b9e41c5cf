#include "run_preflight.h"

#include "model/model_io.h"
#include "pipeline/experiment.h"
#include "tokenizer/tokenizer.h"
#include "train/host_memory.h"

#include <cstdio>

namespace slim::engine {

std::string baseDtypeOf(const RunSpec &spec, const std::string &device, const LlamaConfig &config)
{
    if (spec.adapter.method == AdapterMethod::Full) {
        if (spec.base_dtype != "auto" && spec.base_dtype != "f32")
            throw std::invalid_argument("base_dtype: full fine-tuning trains every weight and "
                                        "keeps them in float32; use f32 or auto");
        return "float32";
    }
    return dtypeName(chooseDtype(spec.base_dtype, chooseDevice(device), config));
}

std::string MemoryCheck::summary() const
{
    const auto &e = estimate;
    std::string text = "needs about " + formatBytes(e.total()) + " (weights "
                       + formatBytes(e.weights) + " " + dtype + ", adapters "
                       + formatBytes(e.adapters) + ", gradients " + formatBytes(e.gradients)
                       + ", optimizer " + formatBytes(e.optimizer) + ", activations "
                       + formatBytes(e.activations) + ")";
    if (available < 0)
        return text + " on " + device + " (free memory unknown)";
    return text + (fits() ? " of " : ", more than the ") + formatBytes(available)
           + " available on " + device + (limit.empty() ? "" : " under " + limit);
}

MemoryCheck checkRunMemory(const RunSpec &spec, const LlamaConfig &config,
                           const std::string &device)
{
    MemoryCheck check;
    check.device = chooseDevice(device).str();
    check.dtype = baseDtypeOf(spec, device, config);
    check.estimate = estimateTrainingMemory(config, spec.adapter, spec.schedule, check.dtype);
    if (check.device == "cpu") {
        const auto host = availableHostMemory();
        check.available = host.bytes;
        check.limit = host.limit;
    } else {
        check.available = availableDeviceMemory(check.device);
    }
    return check;
}

std::string describeModelFolder(const std::string &dir)
{
    const auto info = inspectModelFolder(dir);
    char params[32];
    const double n = double(info.parameters);
    if (n >= 1e9)
        std::snprintf(params, sizeof params, "%.2f B", n / 1e9);
    else
        std::snprintf(params, sizeof params, "%.2f M", n / 1e6);
    // The run tokenizes its tasks with the folder's tokenizer: a missing or unreadable one is
    // named here, before a run is started on it.
    const auto tokenizer = tok::Tokenizer::forModel(dir, info.config.vocab_size);
    return info.config.architecture() + ", " + params + " parameters, " + info.stored_dtype + ", "
           + std::to_string(info.weight_files.size())
           + (info.weight_files.size() == 1 ? " file, " : " files, ") + formatBytes(info.bytes)
           + "; tokenizer: " + std::to_string(tokenizer.vocabSize()) + " tokens"
           + (tokenizer.chatTemplates().empty() ? "" : ", chat template");
}

} // namespace slim::engine
