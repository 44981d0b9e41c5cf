// Peak memory of real training steps against the engine's estimate (train/memory_estimate.h):
// for several model shapes, methods and base dtypes, a random model of that shape trains with
// the real Trainer on full-length examples while a MemoryTracker records LibTorch's CPU tensor
// memory; one JSON line per case with the measured peak, the estimate and their ratio. The
// issue's goal: the estimate within 10 % of the measured peak.
#include "bench_harness.h"

#include "adapters/adapter_set.h"
#include "model/model_io.h"
#include "train/fixed_length_source.h"
#include "train/memory_estimate.h"
#include "train/memory_tracker.h"
#include "train/trainer.h"
#include "tokenizer/builtin_tokenizer.h"

#include <torch/torch.h>

#include <filesystem>

using namespace slim;
using namespace slim::engine;

namespace {

class Quiet : public RunObserver
{
};

struct Shape
{
    std::string name;
    LlamaConfig config;
    int64_t batch, length;
};

LlamaConfig shapeConfig(int64_t vocab, int64_t d, int64_t f, int64_t layers, int64_t heads,
                        int64_t kvHeads, bool tied)
{
    LlamaConfig c;
    c.vocab_size = vocab;
    c.hidden_size = d;
    c.intermediate_size = f;
    c.num_hidden_layers = layers;
    c.num_attention_heads = heads;
    c.num_key_value_heads = kvHeads;
    c.max_position_embeddings = 4096;
    c.tie_word_embeddings = tied;
    return c;
}

} // namespace

int main(int argc, char **argv)
{
    const auto args = bench::parseArgs(argc, argv, "bench_memory [--out FILE] [--quick]");
    torch::set_num_threads(int(args.getInt("threads", 2)));
    std::vector<Shape> shapes = {
        {"builtin", shapeConfig(259, 192, 512, 4, 6, 6, false), 16, 128},
        {"d512-gqa-v32k", shapeConfig(32000, 512, 1376, 2, 8, 2, false), 4, 256},
        {"d768-tied-v8k", shapeConfig(8192, 768, 2048, 3, 12, 4, true), 2, 512},
    };
    if (args.quick)
        shapes.resize(1);
    const auto tmp = std::filesystem::temp_directory_path() / "slim-bench-memory";
    bench::JsonLines out(args.out);
    for (const auto &shape : shapes) {
        for (const auto *method : {"lora", "dora", "slim", "mixlora", "loramoe", "full"}) {
            for (const auto *dtype : {"float32", "bfloat16"}) {
                if (std::string(method) == "full" && std::string(dtype) != "float32")
                    continue;
                auto adapter = AdapterConfig::defaultsFor(methodFromName(method));
                if (adapter.method == AdapterMethod::Lora || adapter.method == AdapterMethod::Dora)
                    adapter.lora_rank = 16;
                TrainOptions options;
                options.steps = 2;
                options.batch_size = shape.batch;
                options.max_length = shape.length;
                options.log_every = 1;
                const auto estimate = estimateTrainingMemory(shape.config, adapter, options, dtype);
                std::int64_t peak = 0;
                {
                    MemoryTracker tracker;
                    torch::manual_seed(1);
                    ParameterInit init;
                    init.options = torch::TensorOptions().dtype(dtypeFromName(dtype));
                    CausalLm model(shape.config, init);
                    AdapterSet adapters(model, adapter);
                    FixedLengthSource source(shape.length);
                    Quiet quiet;
                    std::filesystem::remove_all(tmp);
                    Trainer trainer(adapters, options, source, slim::tok::builtinTokenizer(), quiet, tmp);
                    trainer.run(std::stop_source().get_token());
                    peak = tracker.peak();
                }
                std::filesystem::remove_all(tmp);
                out.write({{"bench", "memory"}, {"shape", shape.name}, {"method", method},
                           {"base_dtype", dtype}, {"batch", shape.batch}, {"length", shape.length},
                           {"measured_peak_bytes", peak}, {"estimate", {{"total", estimate.total()}, {"weights", estimate.weights},
                                         {"adapters", estimate.adapters},
                                         {"gradients", estimate.gradients},
                                         {"optimizer", estimate.optimizer},
                                         {"activations", estimate.activations}}},
                           {"estimate_over_measured", double(estimate.total()) / double(peak)}});
            }
        }
    }
    return 0;
}
