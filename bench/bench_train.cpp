// Training-step benchmarks (docs/benchmarks.md):
//  1. The machine's limit: fp32 GEMM GFLOP/s of torch::mm on square matrices, best of a few
//     sizes, with the engine's thread count (and with one thread, for reference).
//  2. The engine's Trainer on the built-in model, per method, with the "builtin-<method>"
//     presets (batch 16 in 2 micro-batches, 128 tokens per example, AdamW, clipping): tokens
//     per second of an optimizer step, as the trainer itself reports it (its per-step clock
//     spans data, forward, backward, clipping and the optimizer; not logging or checkpoints).
//     Every example is exactly 128 tokens, so a step is 2048 tokens with no padding and the
//     PyTorch baseline (bench/pytorch/bench_train.py) runs the same shapes.
//  3. FLOPs per step, counted by LibTorch's profiler (the sum of aten::mm/addmm/bmm over one
//     whole step, forward and backward), and the 6*N*T + attention convention for reference;
//     model FLOPs utilisation = counted FLOPs / step time / measured GEMM peak.
// Usage: bench_train [--out FILE] [--quick] [--steps=20] [--warmup-steps=3]
//                    [--methods=full,lora,...] [--model=DIR|random] [--threads=N] [--round=N]
//                    [--profile=METHOD] [--only=gemm|steps] [--peak-gflops=X]
//                    [--lockstep=IN_FIFO,OUT_FIFO,first|second] (see bench_harness.h)

#include "common/allocator_tuning.h"
#include "bench_engine.h"
#include "op_profile.h"

#include "adapters/adapter_set.h"
#include "model/model_io.h"
#include "pipeline/pretraining.h"
#include "pipeline/run_spec.h"
#include "train/trainer.h"
#include "tokenizer/builtin_tokenizer.h"

#include <torch/csrc/autograd/profiler_legacy.h>
#include <torch/torch.h>

#include <cstring>
#include <unistd.h>
#include <filesystem>
#include <iostream>

using namespace slim::engine;
using namespace slim::bench;
namespace data = slim::data;
namespace fs = std::filesystem;

namespace {

constexpr const char *kUsage
    = "bench_train [--out FILE] [--quick] [--steps=20] [--warmup-steps=3]\n"
      "            [--methods=full,lora,...] [--model=DIR|random] [--threads=N] [--round=N]\n"
      "            [--profile=METHOD] [--only=gemm|steps] [--peak-gflops=X]\n"
      "            [--lockstep=IN_FIFO,OUT_FIFO,first|second]";

// Every example: BOS + 100 prompt bytes + 26 answer bytes + EOS = 128 tokens (the presets'
// max_length), so batches carry no padding. The text is a fixed function of (step, index),
// mirrored by bench/pytorch/bench_train.py so both see the same tokens.
constexpr int64_t kPromptBytes = 100, kAnswerBytes = 26, kSequence = 128;

std::string syntheticText(int64_t step, int64_t index, int64_t offset, int64_t length)
{
    static const char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz ";
    std::string s(size_t(length), ' ');
    for (int64_t j = 0; j < length; ++j)
        s[size_t(j)] = kAlphabet[(step * 7919 + index * 131 + (offset + j) * 17) % 27];
    return s;
}

class FixedLengthSource : public ExampleSource
{
public:
    std::vector<data::TextExample> examples(int64_t step, int64_t micro, int64_t count) override
    {
        std::vector<data::TextExample> out;
        for (int64_t i = 0; i < count; ++i) {
            const auto index = micro * count + i;
            out.push_back({syntheticText(step, index, 0, kPromptBytes),
                           syntheticText(step, index, kPromptBytes, kAnswerBytes)});
        }
        return out;
    }
};

// Collects the trainer's per-step tokens/s (log_every = 1). With a lock-step partner, hands the
// turn over after every step (the trainer calls this after its step clock has stopped and
// before the next one starts), keeping the wait out of the other-load measurement.
class StepObserver : public RunObserver
{
public:
    StepObserver(Lockstep *lockstep = nullptr, OtherLoad *other = nullptr)
        : m_lockstep(lockstep)
        , m_other(other)
    {}
    void metrics(const std::vector<MetricSample> &samples) override
    {
        for (const auto &s : samples) {
            if (s.name == "tokens_per_sec")
                tokensPerSec.push_back(s.value);
        }
        if (m_lockstep && m_lockstep->active()) {
            if (m_other)
                m_other->pause();
            m_lockstep->turn();
            if (m_other)
                m_other->resume();
        }
    }
    std::vector<double> tokensPerSec;

private:
    Lockstep *m_lockstep;
    OtherLoad *m_other;
};

// fp32 GEMM GFLOP/s: C = A B with A, B [n, n], out= preallocated.
nlohmann::json gemm(int64_t n, int threads, const RepeatOptions &options)
{
    const int previous = torch::get_num_threads();
    torch::set_num_threads(threads);
    torch::manual_seed(3);
    auto a = torch::randn({n, n}), b = torch::randn({n, n}), c = torch::empty({n, n});
    auto t = measure([&] { at::mm_out(c, a, b); }, options);
    torch::set_num_threads(previous);
    const double flops = 2.0 * double(n) * double(n) * double(n);
    return {{"record", "gemm"},   {"n", n},
            {"threads", threads}, {"gflops", flops / t.median() / 1e9},
            {"gflops_best", flops / t.min() / 1e9}, {"timing", t.toJson()}};
}

// Sum of the GEMM FLOPs LibTorch's profiler attributes to aten::mm/addmm/bmm/baddbmm while
// `fn` runs on this thread (CPU autograd runs backward on the calling thread, so backward's
// GEMMs are included).
double countGemmFlops(const std::function<void()> &fn)
{
    namespace prof = torch::autograd::profiler;
    torch::profiler::impl::ProfilerConfig config(torch::profiler::impl::ProfilerState::CPU,
                                                 /*report_input_shapes=*/true,
                                                 /*profile_memory=*/false,
                                                 /*with_stack=*/false, /*with_flops=*/true);
    prof::enableProfilerLegacy(config);
    fn();
    auto lists = prof::disableProfilerLegacy();
    double flops = 0;
    for (auto &list : lists) {
        for (auto &event : list) {
            const char *name = event.name();
            if (std::strcmp(name, "aten::mm") == 0 || std::strcmp(name, "aten::addmm") == 0
                || std::strcmp(name, "aten::bmm") == 0 || std::strcmp(name, "aten::baddbmm") == 0)
                flops += double(event.flops());
        }
    }
    return flops;
}

// 6 * N * T + 12 * L * S * (H * head_dim) * T: N the matmul weights (every 2-D weight but the
// embedding lookup; the head counts once, tied or not), attention as computed here (the full
// S x S score and value products, the causal mask being an additive bias).
double conventionalFlops(CausalLm &model, int64_t tokens)
{
    const auto &c = model->config();
    double n = 0;
    for (const auto &p : model->named_parameters()) {
        if (p.value().dim() == 2 && p.key().find("embed_tokens") == std::string::npos)
            n += double(p.value().numel());
    }
    if (c.tie_word_embeddings)
        n += double(c.vocab_size * c.hidden_size);
    const double attention = 12.0 * double(c.num_hidden_layers) * double(kSequence)
                             * double(c.num_attention_heads * c.headDim());
    return (6.0 * n + attention) * double(tokens);
}

struct MethodCase
{
    std::string name;
    RunSpec spec;
};

std::vector<MethodCase> methodCases(const std::string &filter)
{
    std::vector<MethodCase> cases;
    for (auto m : allMethods())
        cases.push_back({methodName(m), preset("builtin-" + methodName(m))});
    // The ablation "naive instead of fast merging" (slim-method.md §3) on the same model.
    auto naive = preset("builtin-slim");
    naive.adapter.merge = "naive";
    cases.push_back({"slim-naive-merge", naive});
    if (filter.empty())
        return cases;
    std::vector<MethodCase> chosen;
    std::stringstream in(filter);
    std::string item;
    while (std::getline(in, item, ',')) {
        bool found = false;
        for (const auto &c : cases) {
            if (c.name == item) {
                chosen.push_back(c);
                found = true;
            }
        }
        if (!found)
            throw std::invalid_argument("unknown method " + item);
    }
    return chosen;
}

TrainOptions benchSchedule(const RunSpec &spec, int64_t steps)
{
    auto s = spec.schedule;
    s.steps = steps;
    s.log_every = 1;
    s.eval_every = 0;
    s.checkpoint_every = 0; // the trainer saves once at the end, outside its step clock
    return s;
}

nlohmann::json runMethod(const MethodCase &c, const Args &args, double peakGflops,
                         const fs::path &scratch)
{
    const int64_t warmup = args.getInt("warmup-steps", args.quick ? 1 : 3);
    const int64_t steps = args.getInt("steps", args.quick ? 3 : 20);
    const auto modelSource = args.get("model", "");
    FixedLengthSource source;
    std::string modelUsed;

    // FLOPs of one step (the profiler slows it down: counted apart from the timed run).
    double counted = 0, conventional = 0;
    int64_t trainable = 0;
    {
        torch::manual_seed(c.spec.seed);
        auto model = loadBenchModel(modelSource, &modelUsed);
        AdapterSet set(model, c.spec.adapter);
        trainable = set->trainableParameterCount();
        StepObserver observer;
        Trainer trainer(set, benchSchedule(c.spec, 1), source, slim::tok::builtinTokenizer(), observer, scratch / (c.name + "-flops"));
        counted = countGemmFlops([&] { trainer.run({}); });
        conventional = conventionalFlops(model, c.spec.schedule.batch_size * kSequence);
    }

    torch::manual_seed(c.spec.seed);
    auto model = loadBenchModel(modelSource, &modelUsed);
    AdapterSet set(model, c.spec.adapter);
    Lockstep lockstep(args.get("lockstep", ""));
    OtherLoad other;
    StepObserver observer(&lockstep, &other);
    Trainer trainer(set, benchSchedule(c.spec, warmup + steps), source, slim::tok::builtinTokenizer(), observer,
                    scratch / c.name);
    const double loadBefore = loadAverage();
    other.pause();
    lockstep.turn(); // the second process waits for the first's first step
    other.resume();
    trainer.run({});
    const double loadAfter = loadAverage();
    const int64_t tokens = c.spec.schedule.batch_size * kSequence;
    Timing t;
    for (size_t i = size_t(warmup); i < observer.tokensPerSec.size(); ++i)
        t.seconds.push_back(double(tokens) / observer.tokensPerSec[i]);
    const auto losses = trainer.lmLosses();
    const double stepSeconds = t.median();
    return {{"record", "train_step"},
            {"implementation", "engine"},
            {"round", args.getInt("round", 1)},
            {"method", c.name},
            {"model", modelUsed},
            {"adapter", c.spec.adapter.toJson()},
            {"batch_size", c.spec.schedule.batch_size},
            {"grad_accum", c.spec.schedule.grad_accum},
            {"sequence", kSequence},
            {"tokens_per_step", tokens},
            {"trainable_parameters", trainable},
            {"warmup_steps", warmup},
            {"step_ms", stepSeconds * 1e3},
            {"tokens_per_s", double(tokens) / stepSeconds},
            {"timing", t.toJson()},
            {"first_step_loss", losses.empty() ? NAN : losses.front()},
            {"gemm_flops_per_step", counted},
            {"conventional_flops_per_step", conventional},
            {"achieved_gflops", counted / stepSeconds / 1e9},
            {"mfu", counted / stepSeconds / 1e9 / peakGflops},
            {"mfu_conventional", conventional / stepSeconds / 1e9 / peakGflops},
            {"loadavg_before", loadBefore},
            {"other_cores", other.cores()},
            {"lockstep", lockstep.active() || !args.get("lockstep", "").empty()},
            {"loadavg_after", loadAfter}};
}

// --profile=METHOD: per-operator self time of one training step after two warm-up steps.
void profileMethod(const MethodCase &c, const Args &args, JsonLines &out, const fs::path &scratch)
{
    FixedLengthSource source;
    std::string modelUsed;
    torch::manual_seed(c.spec.seed);
    auto model = loadBenchModel(args.get("model", ""), &modelUsed);
    AdapterSet set(model, c.spec.adapter);
    StepObserver observer;
    Trainer warm(set, benchSchedule(c.spec, 2), source, slim::tok::builtinTokenizer(), observer, scratch / (c.name + "-warm"));
    warm.run({});
    Trainer one(set, benchSchedule(c.spec, 1), source, slim::tok::builtinTokenizer(), observer, scratch / (c.name + "-one"));
    auto table = opTable(profileOps([&] { one.run({}); }), 40);
    table["record"] = "op_profile";
    table["method"] = c.name;
    out.write(table);
}

} // namespace

int main(int argc, char **argv)
{
    slim::common::keepFreedMemoryInTheHeap(); // as slimctl and the window run
    try {
        auto args = parseArgs(argc, argv, kUsage);
        const int threads = setEngineThreads(args);
        JsonLines out(args.out);
        out.write(machineInfo("bench_train"));

        // --only=gemm: the machine's limit alone; --only=steps: the methods alone, with
        // --peak-gflops=X (from an earlier --only=gemm run) for the MFU columns.
        const auto only = args.get("only", "");
        double peak = std::stod(args.get("peak-gflops", "nan"));
        if (!args.get("profile", "").empty())
            args.quick = true; // a rough peak is enough
        if (only != "steps") {
            peak = 0;
            OtherLoad other;
            RepeatOptions gemmRepeats;
            gemmRepeats.repeats = args.quick ? 2 : 7;
            for (int64_t n : {256, 512, 1024, 2048, 4096}) {
                if (args.quick && n > 1024)
                    break;
                auto r = gemm(n, threads, gemmRepeats);
                peak = std::max(peak, r["gflops"].get<double>());
                out.write(r);
            }
            auto single = gemm(args.quick ? 512 : 2048, 1, gemmRepeats);
            out.write(single);
            out.write({{"record", "gemm_peak"},
                       {"threads", threads},
                       {"gflops", peak},
                       {"single_thread_gflops", single["gflops"]},
                       {"how", "median over repeats per size, best size"},
                       {"other_cores", other.cores()}});
        }
        if (only == "gemm")
            return 0;

        const auto scratch = fs::temp_directory_path()
                             / ("slim-bench-train-" + std::to_string(::getpid()));
        fs::create_directories(scratch);
        if (const auto profiled = args.get("profile", ""); !profiled.empty()) {
            for (const auto &c : methodCases(profiled))
                profileMethod(c, args, out, scratch);
            fs::remove_all(scratch);
            return 0;
        }
        for (const auto &c : methodCases(args.get("methods", ""))) {
            out.write(runMethod(c, args, peak, scratch));
            fs::remove_all(scratch / c.name);
            fs::remove_all(scratch / (c.name + "-flops"));
        }
        fs::remove_all(scratch);
    } catch (const std::exception &e) {
        std::cerr << "bench_train: " << e.what() << std::endl;
        return 1;
    }
    return 0;
}
