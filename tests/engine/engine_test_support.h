#pragma once
// Small real fixtures shared by the engine tests: a tiny Llama config and token batches.

#include "model/causal_lm.h"

#include <torch/torch.h>

namespace slim::engine::test {

inline LlamaConfig tinyConfig()
{
    LlamaConfig c;
    c.vocab_size = 259;
    c.hidden_size = 32;
    c.intermediate_size = 64;
    c.num_hidden_layers = 2;
    c.num_attention_heads = 4;
    c.num_key_value_heads = 2; // grouped KV heads exercised everywhere
    c.max_position_embeddings = 64;
    return c;
}

inline CausalLm tinyModel(uint64_t seed = 1, LlamaConfig config = tinyConfig())
{
    torch::manual_seed(seed);
    CausalLm model(config);
    model->eval();
    return model;
}

// [batch, seq] random byte tokens (no specials).
inline torch::Tensor randomTokens(int64_t batch, int64_t seq, uint64_t seed = 7)
{
    auto gen = at::detail::createCPUGenerator(seed);
    return torch::randint(0, 256, {batch, seq}, gen, torch::kLong);
}

inline double maxAbsDiff(const torch::Tensor &a, const torch::Tensor &b)
{
    return (a - b).abs().max().item<double>();
}

} // namespace slim::engine::test
