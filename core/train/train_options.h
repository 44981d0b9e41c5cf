#pragma once
// The optimisation schedule of one training job (fine-tuning or pretraining).

#include <cstdint>
#include <string>

namespace slim::engine {

struct TrainOptions
{
    int64_t steps = 400;          // optimizer steps
    int64_t batch_size = 32;      // examples per optimizer step (split over grad_accum)
    int64_t grad_accum = 1;       // micro-batches per optimizer step
    double lr = 3e-4;
    std::string lr_schedule = "constant"; // "constant" | "cosine" | "linear"
    int64_t warmup_steps = 0;
    double min_lr_ratio = 0.1;    // cosine/linear decay floor, as a fraction of lr
    double weight_decay = 0.01;   // on matrices only (not norms, biases, DoRA magnitudes)
    double adam_beta1 = 0.9;
    double adam_beta2 = 0.999;
    double adam_eps = 1e-8;
    double max_grad_norm = 1.0;   // 0 = no clipping
    std::string precision = "fp32"; // "fp32" | "bf16" (autocast)
    int64_t max_length = 128;     // tokens per example, BOS included; longer ones are cut
    bool answer_only_loss = true; // loss on answer tokens only, else on prompt and answer
    bool append_eos = true;       // EOS after each answer
    bool packing = false;         // several examples to a row (attention kept inside each)
    int64_t log_every = 10;       // metrics and routing statistics
    int64_t checkpoint_every = 0; // 0 = only at the end
    int64_t keep_checkpoints = 3;
    bool gradient_checkpointing = false; // replay each decoder layer in backward (less memory) // the last N (+ evaluated and pinned ones); 0 = all
    int64_t eval_every = 0;       // 0 = only at the end
    uint64_t seed = 1234;
};

// Learning rate at `step` (0-based) under `options`.
double learningRateAt(const TrainOptions &options, int64_t step);

} // namespace slim::engine
