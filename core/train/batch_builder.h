#pragma once
// Turns text examples into padded token batches for causal-LM training, one example a row or
// packed several to a row.

#include "train_options.h"
#include "data/task.h"
#include "tokenizer/tokenizer.h"

#include <torch/types.h>

#include <vector>

namespace slim::engine {

struct TokenBatch
{
    torch::Tensor ids;    // [B, S] int64, right-padded with PAD
    // [B, S] int64: 0 for padding, else the 1-based number of the example within its row (all
    // 1 unless packed). CausalLm keeps attention and positions inside each example.
    torch::Tensor mask;
    torch::Tensor labels; // [B, S] int64, the next token at each position or -100 (no loss)
    int64_t lossTokens = 0; // positions that carry loss
    int64_t truncated = 0;  // examples cut to maxLength
    int64_t dropped = 0;    // examples with no loss token left after the cut
};

struct BatchOptions
{
    int64_t maxLength = 128; // tokens per example (and per packed row), BOS included
    bool answerOnly = false; // loss on the answer (trained segments) only
    bool appendEos = true;   // EOS after the answer (not for text with its own special tokens)
    bool pack = false;       // several examples to a row, up to maxLength tokens
};

// The batch rules of a training schedule.
BatchOptions batchOptions(const TrainOptions &options);

// One example's tokens, cut to maxLength, and which of them the loss predicts (isTarget[t]:
// token t is a target of position t - 1). BOS + prompt + answer (+ EOS), or the segments in
// order (BOS before the first and EOS after the last unless the text carries its own).
struct TokenizedExample
{
    std::vector<int64_t> ids;
    std::vector<char> isTarget;
    bool truncated = false;
};
TokenizedExample tokenizeExample(const data::TextExample &example, const tok::Tokenizer &tokenizer,
                                 const BatchOptions &options);

// Examples with no loss token left are dropped (and counted). Packed rows take examples in the
// given order, a new row when the next one does not fit.
TokenBatch buildBatch(const std::vector<data::TextExample> &examples,
                      const tok::Tokenizer &tokenizer, const BatchOptions &options);

} // namespace slim::engine
