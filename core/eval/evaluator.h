#pragma once
// Scores a model on one task: multiple choice by log-likelihood (lm-evaluation-harness) and/or
// by label-token logits (the SLIM paper's harness), generation by exact match, plain texts by
// bits per byte. Conventions: ../shared/docs/evaluation.md; module notes: README.md here.

#include "data/task.h"
#include "tokenizer/tokenizer.h"
#include "model/causal_lm.h"
#include "task_scores.h"
#include "token_scoring.h"

#include <cstdint>
#include <functional>
#include <string>

namespace slim::engine {

enum class ChoiceMode {
    LogLikelihood, // acc and acc_norm from summed continuation log-likelihoods
    LabelLogits, // acc from the logits of " A", " B", ... after an inline option list
    Both, // two ModeScores
};

struct EvalOptions
{
    ChoiceMode choice_mode = ChoiceMode::LogLikelihood;
    int64_t max_items = 0; // > 0: only the first max_items items (texts), a probe subset
    int64_t batch_size = 8; // sequences per forward pass (generation: prompts per batch)
    int64_t max_length = 0; // tokens per window; 0: config().max_position_embeddings
    // Bits per byte: tokens newly predicted by each window after the first, so every token sees
    // at least max_length - stride + 1 tokens of context. 0: max_length / 2. stride ==
    // max_length reproduces lm-eval's loglikelihood_rolling exactly.
    int64_t bpb_stride = 0;
    int64_t max_new_tokens = 64; // exact match: greedy tokens at most
    bool keep_samples = false; // fill ModeScores::samples (lm-eval-shaped per-item logs)
    // Polled before every batch (and every generation step), on the calling thread. Returning
    // true stops the evaluation: the result is marked cancelled.
    std::function<bool()> should_stop;
    // (done, total) in sequences scored (choice continuations, label prompts, generations,
    // text windows), total fixed at the start. Called on the calling thread, at most every
    // ~100 ms plus once at the end.
    std::function<void(int64_t done, int64_t total)> on_progress;
};

// Scores `task` (Choice: the modes chosen by options.choice_mode; Generation: exact_match and
// char_accuracy, the partial credit;
// Text: bits_per_byte). Runs synchronously on the calling thread under InferenceMode, with
// inputs on model->device(). The model must be in eval mode: put it (or its AdapterSet, whose
// adapters are not the model's children) in eval mode first; a training-mode model throws
// std::logic_error. Bad options or items throw std::invalid_argument.
TaskScores evaluateTask(CausalLm &model, const tok::Tokenizer &tokenizer, const data::Task &task,
                        const EvalOptions &options = {});

// The label-mode prompt: context + "\n(A) choice0 (B) choice1 ...\nAnswer:" (the item's
// label_context and label_choices where it has them).
std::string labelPrompt(const data::ChoiceItem &item);

// The evaluation encoder: the tokenizer's special tokens (BOS) + the text's ids (the context
// of lm-eval's requests).
EncodeFn evaluationEncoder(const tok::Tokenizer &tokenizer);

} // namespace slim::engine
