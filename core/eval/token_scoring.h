#pragma once
// Batched log-likelihood primitives of the evaluation, after lm-evaluation-harness: encoding a
// (context, continuation) pair, rolling windows over long texts, and scoring token sequences in
// right-padded batches. Thread affinity: the thread that runs the model. Every function runs
// under torch::InferenceMode with inputs on model->device(); results are host values.

#include "model/causal_lm.h"

#include <torch/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

namespace slim::engine {

// Text -> token ids, with whatever special prefix the model expects (the byte tokenizer's
// evaluation encoder prepends BOS). Must not be empty for an empty text.
using EncodeFn = std::function<std::vector<int64_t>(std::string_view)>;

struct EncodedPair
{
    std::vector<int64_t> context;
    std::vector<int64_t> continuation;
};

// lm-eval's _encode_pair: trailing whitespace of the context (Python str.rstrip(), i.e. ASCII
// " \t\n\r\v\f" here) moves onto the front of the continuation; whole = encode(context +
// continuation), ctx = encode(context), continuation = whole[len(ctx):].
EncodedPair encodePair(const EncodeFn &encode, std::string_view context,
                       std::string_view continuation);

// A sequence whose last `scored` tokens are predicted, each from the tokens before it. The
// model reads tokens[0 .. size-2]. Requires size >= 2 and 0 <= scored < size.
struct ScoringRequest
{
    std::vector<int64_t> tokens;
    int64_t scored = 0;
};

struct RequestScore
{
    double loglikelihood = 0; // sum over the scored tokens, nats
    bool is_greedy = true; // every scored token is the argmax of its prediction
};

// lm-eval's input for one pair: (context + continuation)[-(maxLength + 1):], scoring the
// continuation (cut to what fits when it alone is longer than the window).
ScoringRequest continuationRequest(const EncodedPair &pair, int64_t maxLength);

// lm-eval's get_rolling_token_windows + make_disjoint_window over `tokens` (no prefix): every
// token is scored exactly once. The first window reads prefixToken + tokens and predicts up to
// maxLength tokens; each later window predicts the next `stride` tokens (fewer at the end),
// reading the maxLength tokens before each one's end, so every later token sees at least
// maxLength - stride + 1 tokens of context. stride == maxLength is lm-eval's default
// (context_len = 1); stride == 1 gives every token the full window. 1 <= stride <= maxLength.
std::vector<ScoringRequest> rollingWindows(const std::vector<int64_t> &tokens, int64_t prefixToken,
                                           int64_t maxLength, int64_t stride);

struct BatchControl
{
    int64_t batch_size = 8; // sequences per forward pass
    int64_t pad_token_id = 258; // filler; masked out
    std::function<bool()> should_stop; // polled before every batch
    std::function<void(int64_t)> on_batch_done; // number of sequences just finished
};

// Scores requests in batches of similar length (longest first, as lm-eval orders them);
// results come back in request order. nullopt when should_stop asked to stop.
std::optional<std::vector<RequestScore>> scoreRequests(CausalLm &model,
                                                       const std::vector<ScoringRequest> &requests,
                                                       const BatchControl &control);

// Logits after the last token of each prompt: [N, vocab] float32 on the CPU, in prompt order.
// nullopt when should_stop asked to stop.
std::optional<torch::Tensor> lastPositionLogits(CausalLm &model,
                                                const std::vector<std::vector<int64_t>> &prompts,
                                                const BatchControl &control);

} // namespace slim::engine
