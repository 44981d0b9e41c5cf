#pragma once
// Rotary position embeddings as transformers computes them (modeling_rope_utils): inverse
// frequencies inv_freq[i] = 1 / theta^(2i / head_dim) in float32, changed by the config's
// rope scaling (linear, dynamic NTK, llama3), and cos/sin tables in the "rotate_half" layout.

#include "llama_config.h"

#include <torch/types.h>

#include <utility>

namespace slim::engine {

// inv_freq [head_dim / 2] float32 on `device` for a forward pass whose sequence reaches
// `seqLen` positions (max position + 1). Only `dynamic` depends on seqLen: beyond
// max_position_embeddings its base grows with it, per forward pass (transformers also keeps
// the largest base seen by a model instance; a fresh instance gives these numbers).
torch::Tensor ropeInverseFrequencies(const LlamaConfig &config, int64_t seqLen,
                                     torch::Device device);

// Rotary tables for positions `positionIds` [B, S] -> (cos, sin) each [B, S, head_dim] in
// `dtype` (computed in float32, then cast, as transformers does).
std::pair<torch::Tensor, torch::Tensor> rotaryTables(const torch::Tensor &positionIds,
                                                     const torch::Tensor &invFreq,
                                                     torch::ScalarType dtype);

} // namespace slim::engine
