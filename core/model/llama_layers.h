#pragma once
// The building blocks of a Llama-architecture decoder layer, named as in Hugging Face's
// modeling_llama so that parameter paths match checkpoints (self_attn.q_proj.weight, ...).

#include "adaptable_linear.h"
#include "llama_config.h"

#include <torch/nn/module.h>
#include <torch/types.h>

#include <memory>

namespace slim::engine {

// Per-forward tensors shared by every layer.
struct ForwardContext
{
    torch::Tensor attentionBias; // [B, 1, S, S_total] additive, float32 (0 or large negative)
    torch::Tensor slidingBias;   // the same with the sliding window; undefined when no layer has one
    torch::Tensor cos, sin;      // [B, S, head_dim] rotary tables for the current positions
    torch::Tensor tokenMask;     // [B, S] bool, true for real (non-pad) tokens
};

// Keys and values of earlier positions for incremental decoding.
struct LayerKvCache
{
    torch::Tensor keys;   // [B, kv_heads, S_past, head_dim]
    torch::Tensor values; // [B, kv_heads, S_past, head_dim]
};

class RmsNormImpl : public torch::nn::Module
{
public:
    RmsNormImpl(int64_t dim, double eps, const ParameterInit &init = {});
    torch::Tensor forward(const torch::Tensor &x); // x: [..., dim], normalised in float32
    torch::Tensor weight;                          // [dim]

private:
    double m_eps;
};
TORCH_MODULE(RmsNorm);

class AttentionImpl : public torch::nn::Module
{
public:
    AttentionImpl(const LlamaConfig &config, int64_t layerIndex, const ParameterInit &init);
    // h: [B, S, d] -> [B, S, d]. With a cache, appends this step's keys/values to it.
    torch::Tensor forward(const torch::Tensor &h, const ForwardContext &ctx, LayerKvCache *cache);

    AdaptableLinear q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, o_proj{nullptr};
    RmsNorm q_norm{nullptr}, k_norm{nullptr}; // Qwen3 only: per head, over head_dim

private:
    int64_t m_heads, m_kvHeads, m_headDim;
    bool m_sliding; // this layer attends within the sliding window
};
TORCH_MODULE(Attention);

class MlpImpl;

// Replaces a whole SwiGLU block's computation (SLIM, MixLoRA). Implementations hold their own
// parameters and call the block's frozen projections through `mlp`.
class MlpAdapter
{
public:
    virtual ~MlpAdapter() = default;
    // u: [B, S, d] (post-attention-norm input), tokenMask: [B, S] bool -> [B, S, d]
    virtual torch::Tensor forward(const torch::Tensor &u, const torch::Tensor &tokenMask,
                                  MlpImpl &mlp) = 0;
};

// SwiGLU: down_proj(silu(gate_proj(u)) * up_proj(u)).
class MlpImpl : public torch::nn::Module
{
public:
    explicit MlpImpl(const LlamaConfig &config, const ParameterInit &init = {});
    torch::Tensor forward(const torch::Tensor &u, const torch::Tensor &tokenMask);
    // The block through its projections' forward (projection adapters apply), no MLP adapter.
    torch::Tensor projectionsForward(const torch::Tensor &u);

    void setAdapter(std::shared_ptr<MlpAdapter> adapter) { m_adapter = std::move(adapter); }
    MlpAdapter *adapter() const { return m_adapter.get(); }

    AdaptableLinear gate_proj{nullptr}, up_proj{nullptr}, down_proj{nullptr};

private:
    std::shared_ptr<MlpAdapter> m_adapter;
};
TORCH_MODULE(Mlp);

class DecoderLayerImpl : public torch::nn::Module
{
public:
    DecoderLayerImpl(const LlamaConfig &config, int64_t layerIndex, const ParameterInit &init);
    torch::Tensor forward(const torch::Tensor &h, const ForwardContext &ctx, LayerKvCache *cache);

    Attention self_attn{nullptr};
    Mlp mlp{nullptr};
    RmsNorm input_layernorm{nullptr}, post_attention_layernorm{nullptr};
};
TORCH_MODULE(DecoderLayer);

} // namespace slim::engine
