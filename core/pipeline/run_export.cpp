#include "run_export.h"

#include "adapters/adapter_set.h"
#include "adapters/peft_adapter.h"
#include "common/file_writes.h"
#include "model/model_io.h"
#include "pipeline/run_spec.h"
#include "tokenizer/builtin_tokenizer.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>


namespace slim::engine {

namespace fs = std::filesystem;

namespace {

// Writes into a side folder that is renamed to `out` when `write` finished.
template<typename Write>
void writeWhole(const fs::path &out, Write &&write)
{
    std::error_code ec;
    if (fs::exists(out) && !(fs::is_directory(out) && fs::is_empty(out, ec)))
        throw std::invalid_argument(out.string() + " exists and is not empty; choose a new folder");
    auto partial = out;
    partial += ".partial";
    fs::remove_all(partial, ec);
    fs::create_directories(partial);
    try {
        write(partial);
    } catch (...) {
        fs::remove_all(partial, ec);
        throw;
    }
    fs::remove(out, ec); // an empty folder the user made
    fs::rename(partial, out);
}

// Written beside a merged model: what was merged, and a mixture's routing (docs/adapter-format.md).
constexpr const char *kMergeRecordFile = "slim_merge.json";

nlohmann::json routingJson(const MergeRouting &routing)
{
    auto routers = nlohmann::json::array();
    for (const auto &[key, weights] : routing.by_router)
        routers.push_back({{"layer", key.first}, {"site", key.second}, {"weights", weights}});
    nlohmann::json j{{"routers", routers}};
    if (!routing.everywhere.empty())
        j["everywhere"] = routing.everywhere;
    return j;
}

CausalLm loadBase(const ExportSource &s, torch::ScalarType dtype)
{
    auto model = loadModel(s.base_model_dir, torch::kCPU, dtype);
    model->eval();
    return model;
}

} // namespace

void exportAdapter(const ExportSource &source, const std::string &format, const fs::path &out)
{
    if (format != "peft" && format != "slim")
        throw std::invalid_argument("format '" + format + "' is not one of peft, slim");
    auto model = loadBase(source, torch::kFloat);
    auto adapters = loadAdapters(source.checkpoint_dir, model);
    const auto method = adapters->config().method;
    if (method == AdapterMethod::Full)
        throw std::invalid_argument("a full fine-tuning run has no adapter; export it with "
                                    "export-merged");
    if (format == "peft" && method != AdapterMethod::Lora && method != AdapterMethod::Dora)
        throw std::invalid_argument("a " + methodName(method)
                                    + " run has no PEFT form (PEFT adapters are LoRA or DoRA); "
                                      "use --format slim, or export-merged");
    writeWhole(out, [&](const fs::path &dir) {
        if (format == "peft")
            savePeftAdapter(*adapters, dir, source.base_model_name);
        else
            adapters->save(dir, source.base_model_name);
    });
}

void exportMerged(const ExportSource &source, const fs::path &out, const std::string &dtype,
                  const MergeRouting &routing)
{
    const auto info = inspectModelFolder(source.base_model_dir);
    const auto storage = dtypeFromName(dtype.empty() ? (info.stored_dtype == "mixed"
                                                            ? info.config.torch_dtype
                                                            : info.stored_dtype)
                                                     : dtype);
    // The fold runs in the output dtype, as PEFT's merge adds the delta to the stored weight.
    auto model = loadBase(source, storage);
    auto adapters = loadAdapters(source.checkpoint_dir, model);
    const auto method = adapters->config().method;
    const bool mixture = adapters->canFoldAtRouting();
    if (mixture && routing.empty())
        throw std::invalid_argument("a " + methodName(method)
                                    + " run merges at a chosen routing: give one (the run's mean "
                                      "routing, or a weight per expert)");
    if (!mixture && !routing.empty())
        throw std::invalid_argument("a " + methodName(method)
                                    + " run has no router: a routing applies to mixtures only");
    if (method != AdapterMethod::Full)
        adapters->foldIntoBase(routing);
    nlohmann::json record{{"method", methodName(method)}, {"step", source.step}};
    if (mixture)
        record["routing"] = routingJson(routing);
    const bool sharded = info.weight_files.size() > 1;
    writeWhole(out, [&](const fs::path &dir) {
        saveModel(model, dir, storage, sharded ? info.weight_map : std::map<std::string, std::string>{});
        common::writeTextFile(dir / kMergeRecordFile, record.dump(2) + "\n");
        // Everything else a loader needs from the base: generation settings and tokenizer.
        for (const char *file : {"generation_config.json", "tokenizer.json", "tokenizer_config.json",
                                 "special_tokens_map.json", "tokenizer.model", "slim_tokenizer.json"}) {
            if (fs::exists(source.base_model_dir / file))
                fs::copy_file(source.base_model_dir / file, dir / file,
                              fs::copy_options::overwrite_existing);
        }
        // A built-in base written before tokenizer.json existed: its tokenizer in the form
        // Hugging Face's tools read.
        if (!fs::exists(dir / "tokenizer.json") && fs::exists(dir / "slim_tokenizer.json"))
            tok::writeBuiltinTokenizer(dir);
    });
}

std::string importAdapterSpec(const fs::path &adapterDir, const fs::path &baseModelDir,
                              const std::string &name)
{
    const auto config = loadConfig(baseModelDir);
    RunSpec spec;
    spec.name = name.empty() ? "import " + fs::absolute(adapterDir).filename().string() : name;
    spec.base_model = fs::absolute(baseModelDir).lexically_normal().string();
    spec.init_adapter = fs::absolute(adapterDir).lexically_normal().string();
    spec.adapter = adapterConfigOf(adapterDir, config);
    spec.schedule.steps = 0;
    return spec.toJson().dump(2);
}

} // namespace slim::engine
