// Layer benchmarks (docs/benchmarks.md):
//  1. One SwiGLU block with its adapter, forward + backward, in training mode: the SLIM layer
//     (8 LoRA experts x rank 16 + 2 identity experts, top-2, fast dynamic merging, sliding
//     clusters) against LoRA rank 128 on gate/up/down (the same total rank) and MixLoRA
//     (8 x 16, top-2), plus the frozen block alone. All variants share the block's frozen
//     weights and are timed round-robin in this process; ratios are to LoRA(128).
//  2. Fast dynamic merging (row/column masks, two GEMMs) against the naive dense-mask merge
//     (materialise M (.) B_i A_i per expert) on one square d x d projection, forward +
//     backward, against the arithmetic prediction d*d / (r * (d + d)).
// Usage: bench_layers [--out FILE] [--repeats N] [--warmup N] [--quick] [--sizes=256,1024,4096]
//                     [--tokens=2048] [--naive-layer-max=1024] [--only=layers|merge]
//                     [--variants=slim,mixlora,slim_naive] [--threads=N] [--profile=VARIANT]

#include "bench_engine.h"
#include "op_profile.h"

#include "adapters/adapter_config.h"
#include "adapters/dynamic_merge.h"
#include "adapters/lora_adapter.h"
#include "adapters/lora_bank.h"
#include "adapters/mixlora_mlp.h"
#include "adapters/routing.h"
#include "adapters/slim_mlp.h"
#include "model/llama_layers.h"

#include <torch/torch.h>

#include <iostream>

using namespace slim::engine;
using namespace slim::bench;

namespace {

constexpr const char *kUsage
    = "bench_layers [--out FILE] [--repeats N] [--warmup N] [--quick] [--sizes=256,1024,4096]\n"
      "             [--tokens=2048] [--naive-layer-max=1024] [--only=layers|merge]\n"
      "             [--variants=slim,mixlora,slim_naive] [--threads=N] [--profile=VARIANT]";

// Llama-7B's intermediate/hidden ratio (11008 / 4096), so d = 4096 is Llama-7B's MLP.
int64_t intermediateFor(int64_t d)
{
    return d * 11008 / 4096;
}

std::vector<int64_t> parseSizes(const std::string &text)
{
    std::vector<int64_t> sizes;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ','))
        sizes.push_back(std::stoll(item));
    return sizes;
}

// Larger problems get fewer repeats: a d = 4096 block forward + backward takes seconds.
RepeatOptions repeatsFor(int64_t d, const Args &args)
{
    auto r = args.repeat;
    if (d >= 4096) {
        r.warmup = std::min(r.warmup, 1);
        r.repeats = std::min(r.repeats, 5);
        r.min_repeats = std::min(r.repeats, 3);
        r.budget_seconds = 240;
    }
    return r;
}

void clearGrads(const std::vector<torch::Tensor> &tensors)
{
    for (const auto &t : tensors) {
        if (t.grad().defined())
            t.mutable_grad().reset();
    }
}

// The SwiGLU block of a Llama layer with hidden size d, and every adapter variant attached
// in turn to the same frozen weights.
struct LayerBench
{
    int64_t d, f, tokens;
    Mlp mlp{nullptr};
    std::vector<LoraAdapter> loras;
    SlimMlp slim{nullptr}, slimNaive{nullptr};
    MixLoraMlp mixLora{nullptr};
    torch::Tensor u, gradOut, tokenMask;

    LayerBench(int64_t hidden, int64_t numTokens, bool withNaive)
        : d(hidden)
        , f(intermediateFor(hidden))
        , tokens(numTokens)
    {
        torch::manual_seed(1);
        LlamaConfig config;
        config.hidden_size = d;
        config.intermediate_size = f;
        config.num_attention_heads = std::max<int64_t>(1, d / 64);
        config.num_key_value_heads = config.num_attention_heads;
        mlp = Mlp(config);
        for (auto &p : mlp->parameters())
            p.set_requires_grad(false);

        auto loraConfig = AdapterConfig::defaultsFor(AdapterMethod::Lora); // rank 128, alpha 256
        for (auto *proj : {mlp->gate_proj.get(), mlp->up_proj.get(), mlp->down_proj.get()})
            loras.emplace_back(*proj, loraConfig.lora_rank, loraConfig.scaling(), 0.0, false);

        auto slimConfig = AdapterConfig::defaultsFor(AdapterMethod::Slim); // 8 x 16 + 2 identity
        slim = SlimMlp(slimConfig, *mlp, 0);
        if (withNaive) {
            slimConfig.merge = "naive";
            slimNaive = SlimMlp(slimConfig, *mlp, 0);
        }
        mixLora = MixLoraMlp(AdapterConfig::defaultsFor(AdapterMethod::MixLora), *mlp, 0);

        // Non-zero B (as after some training): the zero init would change nothing in the cost,
        // but keeps every path honest.
        torch::NoGradGuard noGrad;
        for (auto &l : loras)
            l->lora_B.normal_(0, 0.01);
        for (auto *m : {slim.get(), slimNaive ? slimNaive.get() : nullptr}) {
            if (!m)
                continue;
            for (auto *bank : {m->gate_proj.get(), m->up_proj.get(), m->down_proj.get()})
                bank->lora_B.normal_(0, 0.01);
        }
        for (auto *bank : {mixLora->gate_proj.get(), mixLora->up_proj.get(),
                           mixLora->down_proj.get()})
            bank->lora_B.normal_(0, 0.01);

        const int64_t seq = 128, batch = tokens / seq;
        // The block's input comes from earlier layers that carry adapters too: it needs its
        // gradient, as in a real training step.
        u = torch::randn({batch, seq, d}).requires_grad_(true);
        gradOut = torch::randn({batch, seq, d});
        tokenMask = torch::ones({batch, seq}, torch::kBool);
    }

    void detachAll()
    {
        mlp->setAdapter(nullptr);
        mlp->gate_proj->setAdapter(nullptr);
        mlp->up_proj->setAdapter(nullptr);
        mlp->down_proj->setAdapter(nullptr);
    }

    // Attaches a whole-MLP adapter (SLIM, MixLoRA) and adds its parameters to `grads`.
    template<typename Module>
    void attachMlpAdapter(Module &adapter, std::vector<torch::Tensor> &grads)
    {
        mlp->setAdapter(adapter.ptr());
        for (auto &p : adapter->parameters())
            grads.push_back(p);
    }

    // One forward + backward with `variant` attached; gradients are dropped first (as
    // zero_grad(set_to_none) would), so each call does the same work.
    void step(const std::string &variant)
    {
        detachAll();
        std::vector<torch::Tensor> grads = {u};
        if (variant == "lora128") {
            mlp->gate_proj->setAdapter(loras[0].ptr());
            mlp->up_proj->setAdapter(loras[1].ptr());
            mlp->down_proj->setAdapter(loras[2].ptr());
            for (auto &l : loras)
                for (auto &p : l->parameters())
                    grads.push_back(p);
        } else if (variant == "slim") {
            attachMlpAdapter(slim, grads);
        } else if (variant == "slim_naive") {
            attachMlpAdapter(slimNaive, grads);
        } else if (variant == "mixlora") {
            attachMlpAdapter(mixLora, grads);
        }
        clearGrads(grads);
        auto out = mlp->forward(u, tokenMask);
        out.backward(gradOut);
    }

    int64_t adapterParameters(const std::string &variant)
    {
        int64_t n = 0;
        auto count = [&](torch::nn::Module &m) {
            for (auto &p : m.parameters())
                n += p.numel();
        };
        if (variant == "lora128")
            for (auto &l : loras)
                count(*l);
        if (variant == "slim")
            count(*slim);
        if (variant == "slim_naive")
            count(*slimNaive);
        if (variant == "mixlora")
            count(*mixLora);
        return n;
    }
};

void runLayers(int64_t d, const Args &args, JsonLines &out)
{
    const int64_t tokens = args.getInt("tokens", 2048);
    const bool withNaive = d <= args.getInt("naive-layer-max", 1024);
    LayerBench bench(d, tokens, withNaive);
    // base and lora128 always run: the ratios are to them.
    std::vector<std::string> names = {"base", "lora128"};
    for (const char *v : {"slim", "mixlora", "slim_naive"}) {
        const auto wanted = args.get("variants", "slim,mixlora,slim_naive");
        if (("," + wanted + ",").find(std::string(",") + v + ",") == std::string::npos)
            continue;
        if (std::string(v) != "slim_naive" || withNaive)
            names.push_back(v);
    }
    std::vector<Variant> variants;
    for (const auto &name : names)
        variants.push_back({name, [&bench, name] { bench.step(name); }});
    const auto options = repeatsFor(d, args);
    const double loadBefore = loadAverage();
    OtherLoad other;
    auto timings = measureInterleaved(variants, options);
    const auto &base = timings[0], &lora = timings[1];
    for (size_t k = 0; k < names.size(); ++k) {
        const auto &t = timings[k];
        nlohmann::json r = {{"record", "layer"},
                            {"d", d},
                            {"intermediate", bench.f},
                            {"tokens", tokens},
                            {"variant", names[k]},
                            {"adapter_parameters", bench.adapterParameters(names[k])},
                            {"ms", t.median() * 1e3},
                            {"tokens_per_s", double(tokens) / t.median()},
                            {"ratio_to_lora128", t.median() / lora.median()},
                            {"paired_ratio_to_lora128", pairedRatio(t, lora)},
                            {"timing", t.toJson()},
                            {"loadavg_before", loadBefore},
                            {"other_cores", other.cores()},
                            {"loadavg_after", loadAverage()}};
        // The adapters' own cost: what the variant adds to the frozen block.
        if (names[k] != "base")
            r["adapter_cost_ratio_to_lora128"]
                = (t.median() - base.median()) / (lora.median() - base.median());
        out.write(r);
    }
}

// --profile=VARIANT: per-operator self time of a few calls of one variant (after warm-up).
void profileLayer(int64_t d, const std::string &variant, const Args &args, JsonLines &out)
{
    const int64_t tokens = args.getInt("tokens", 2048);
    LayerBench bench(d, tokens, variant == "slim_naive");
    for (int i = 0; i < 2; ++i)
        bench.step(variant);
    const int calls = 3;
    auto table = opTable(profileOps([&] {
        for (int i = 0; i < calls; ++i)
            bench.step(variant);
    }));
    table["record"] = "op_profile";
    table["d"] = d;
    table["variant"] = variant;
    table["calls_profiled"] = calls;
    out.write(table);
}

// One square projection's merged delta, forward + backward: the fast row/column masks against
// the naive dense mask, both drawing fresh masks on every call (training).
void runMerge(int64_t d, const Args &args, JsonLines &out)
{
    const int64_t tokens = args.getInt("tokens", 2048);
    const int64_t experts = 8, rank = 16;
    torch::manual_seed(2);
    LoraBank bank(experts, d, d, rank, 2.0, 0.0);
    {
        torch::NoGradGuard noGrad;
        bank->lora_B.normal_(0, 0.01);
    }
    auto x = torch::randn({tokens, d}).requires_grad_(true);
    // Top-2 routing weights of a random router, a leaf so the router's gradient path is timed.
    auto weights = route(torch::randn({tokens, experts}), RoutingRule::TopK, 2, 1.0)
                       .weights.detach()
                       .requires_grad_(true);
    auto gradOut = torch::randn({tokens, d});
    const DropSettings drop{0.5, false};
    const auto opts = x.options();
    auto clear = [&] { clearGrads({x, weights, bank->lora_A, bank->lora_B}); };
    std::vector<Variant> variants = {
        {"fast",
         [&] {
             clear();
             auto masks = fastMasks(experts, d, d, drop, MaskMode::Sample, opts);
             bank->delta(x, weights, masks).backward(gradOut);
         }},
        {"naive",
         [&] {
             clear();
             auto dense = naiveMask(experts, d, d, drop, MaskMode::Sample, opts);
             bank->naiveDelta(x, weights, dense.mask, dense.factor).backward(gradOut);
         }},
    };
    const auto options = repeatsFor(d, args);
    const double loadBefore = loadAverage();
    OtherLoad other;
    auto timings = measureInterleaved(variants, options);
    const auto &fast = timings[0], &naive = timings[1];
    // Per token and expert: naive multiplies by a dense C_out x C_in matrix, fast by A (r x C_in)
    // and B (C_out x r).
    const double predicted = double(d) * double(d) / (double(rank) * double(d + d));
    const double measured = naive.median() / fast.median();
    for (size_t k = 0; k < variants.size(); ++k) {
        out.write({{"record", "merge"},
                   {"d", d},
                   {"tokens", tokens},
                   {"experts", experts},
                   {"rank", rank},
                   {"drop_rate", drop.p},
                   {"variant", variants[k].name},
                   {"ms", timings[k].median() * 1e3},
                   {"timing", timings[k].toJson()},
                   {"loadavg_before", loadBefore},
                            {"other_cores", other.cores()},
                   {"loadavg_after", loadAverage()}});
    }
    out.write({{"record", "merge_ratio"},
               {"d", d},
               {"tokens", tokens},
               {"naive_over_fast", measured},
               {"paired_naive_over_fast", pairedRatio(naive, fast)},
               {"predicted", predicted},
               {"measured_over_predicted", measured / predicted}});
}

} // namespace

int main(int argc, char **argv)
{
    try {
        auto args = parseArgs(argc, argv, kUsage);
        setEngineThreads(args);
        JsonLines out(args.out);
        out.write(machineInfo("bench_layers"));
        auto sizes = parseSizes(args.get("sizes", args.quick ? "256" : "256,1024,4096"));
        if (args.quick)
            args.repeat = quickRepeats();
        const auto only = args.get("only", "");
        const auto profile = args.get("profile", "");
        for (auto d : sizes) {
            if (!profile.empty()) {
                profileLayer(d, profile, args, out);
                continue;
            }
            if (only.empty() || only == "layers")
                runLayers(d, args, out);
            if (only.empty() || only == "merge")
                runMerge(d, args, out);
        }
    } catch (const std::exception &e) {
        std::cerr << "bench_layers: " << e.what() << std::endl;
        return 1;
    }
    return 0;
}
