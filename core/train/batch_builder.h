#pragma once
// Turns text examples into padded token batches for causal-LM training.

#include "data/task.h"
#include "tokenizer/tokenizer.h"

#include <torch/types.h>

#include <vector>

namespace slim::engine {

struct TokenBatch
{
    torch::Tensor ids;    // [B, S] int64, right-padded with PAD
    torch::Tensor mask;   // [B, S] int64, 1 for real tokens
    torch::Tensor labels; // [B, S] int64, the next token at each position or -100 (no loss)
    int64_t lossTokens = 0; // positions that carry loss
};

// BOS + prompt + answer (+ EOS), cut to maxLength. With answerOnly the loss covers the answer
// (and EOS); otherwise every predicted token. Examples with no loss token left are dropped.
TokenBatch buildBatch(const std::vector<data::TextExample> &examples,
                      const tok::Tokenizer &tokenizer, int64_t maxLength, bool answerOnly,
                      bool appendEos);

} // namespace slim::engine
