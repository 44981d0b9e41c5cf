#include "llama_layers.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

namespace slim::engine {

namespace F = torch::nn::functional;

RmsNormImpl::RmsNormImpl(int64_t dim, double eps, const ParameterInit &init)
    : m_eps(eps)
{
    weight = register_parameter("weight", init.filled({dim}, 1.0));
}

torch::Tensor RmsNormImpl::forward(const torch::Tensor &x)
{
    auto xf = x.to(torch::kFloat);
    auto normed = xf * torch::rsqrt(xf.pow(2).mean(-1, true) + m_eps);
    return weight * normed.to(x.scalar_type());
}

namespace {

torch::Tensor rotateHalf(const torch::Tensor &x)
{
    auto half = x.size(-1) / 2;
    return torch::cat({-x.slice(-1, half), x.slice(-1, 0, half)}, -1);
}

// x: [B, H, S, hd], cos/sin: [B, S, hd]
torch::Tensor applyRotary(const torch::Tensor &x, const torch::Tensor &cos,
                          const torch::Tensor &sin)
{
    auto c = cos.unsqueeze(1);
    auto s = sin.unsqueeze(1);
    return x * c + rotateHalf(x) * s;
}

// softmax(q k^T / sqrt(hd) + bias) v for q [B, H, S, hd], k/v [B, H, T, hd], bias [B, 1, S, T]:
// scores and softmax in float32 whatever the weights' dtype.
torch::Tensor attend(const torch::Tensor &q, const torch::Tensor &k, const torch::Tensor &v,
                     const torch::Tensor &bias, int64_t headDim)
{
    auto scores = torch::matmul(q.to(torch::kFloat), k.to(torch::kFloat).transpose(-1, -2))
                  / std::sqrt(double(headDim));
    scores = scores + bias;
    auto probs = torch::softmax(scores, -1).to(v.scalar_type());
    return torch::matmul(probs, v);
}

// Without gradients, sequences are attended a few at a time so the float32 score matrix stays
// near kScoreBytes: a long batch's [B, H, S, T] scores (256 MB at 32 x 8 heads x 500 tokens)
// would otherwise be mapped fresh and page-faulted in every layer. Each sequence's numbers are
// the same either way (the same matrix products per sequence and head). With gradients the
// whole batch is attended at once, as autograd keeps every chunk's probabilities anyway.
constexpr int64_t kScoreBytes = int64_t(16) << 20;

torch::Tensor attendInChunks(const torch::Tensor &q, const torch::Tensor &k,
                             const torch::Tensor &v, const torch::Tensor &bias, int64_t headDim)
{
    const auto b = q.size(0);
    const auto perSequence = q.size(1) * q.size(2) * k.size(2) * int64_t(sizeof(float));
    const auto chunk = std::max<int64_t>(1, kScoreBytes / std::max<int64_t>(1, perSequence));
    if (torch::GradMode::is_enabled() || chunk >= b)
        return attend(q, k, v, bias, headDim);
    auto out = torch::empty({b, q.size(1), q.size(2), v.size(3)}, v.options());
    for (int64_t start = 0; start < b; start += chunk) {
        const auto end = std::min(b, start + chunk);
        out.slice(0, start, end).copy_(attend(q.slice(0, start, end), k.slice(0, start, end),
                                              v.slice(0, start, end),
                                              bias.slice(0, start, end), headDim));
    }
    return out;
}

} // namespace

AttentionImpl::AttentionImpl(const LlamaConfig &config, int64_t layerIndex,
                             const ParameterInit &init)
    : m_heads(config.num_attention_heads)
    , m_kvHeads(config.num_key_value_heads)
    , m_headDim(config.headDim())
    , m_sliding(config.slidingWindowOf(layerIndex) > 0)
{
    const auto d = config.hidden_size;
    const bool qkvBias = config.qkvBias();
    q_proj = register_module("q_proj", AdaptableLinear(d, m_heads * m_headDim, qkvBias, init));
    k_proj = register_module("k_proj", AdaptableLinear(d, m_kvHeads * m_headDim, qkvBias, init));
    v_proj = register_module("v_proj", AdaptableLinear(d, m_kvHeads * m_headDim, qkvBias, init));
    o_proj = register_module("o_proj",
                             AdaptableLinear(m_heads * m_headDim, d, config.outputBias(), init));
    if (config.qkNorm()) {
        q_norm = register_module("q_norm", RmsNorm(m_headDim, config.rms_norm_eps, init));
        k_norm = register_module("k_norm", RmsNorm(m_headDim, config.rms_norm_eps, init));
    }
}

torch::Tensor AttentionImpl::forward(const torch::Tensor &h, const ForwardContext &ctx,
                                     LayerKvCache *cache)
{
    const auto b = h.size(0), s = h.size(1);
    auto q = q_proj(h).view({b, s, m_heads, m_headDim});
    auto k = k_proj(h).view({b, s, m_kvHeads, m_headDim});
    if (q_norm) { // Qwen3: RMSNorm of each head's query and key, before RoPE
        q = q_norm(q);
        k = k_norm(k);
    }
    q = q.transpose(1, 2);
    k = k.transpose(1, 2);
    auto v = v_proj(h).view({b, s, m_kvHeads, m_headDim}).transpose(1, 2);
    q = applyRotary(q, ctx.cos, ctx.sin);
    k = applyRotary(k, ctx.cos, ctx.sin);
    if (cache) {
        if (cache->keys.defined()) {
            k = torch::cat({cache->keys, k}, 2);
            v = torch::cat({cache->values, v}, 2);
        }
        cache->keys = k;
        cache->values = v;
    }
    if (m_kvHeads != m_heads) {
        const auto groups = m_heads / m_kvHeads;
        k = k.repeat_interleave(groups, 1);
        v = v.repeat_interleave(groups, 1);
    }
    const auto &bias = m_sliding && ctx.slidingBias.defined() ? ctx.slidingBias
                                                                : ctx.attentionBias;
    auto out = attendInChunks(q, k, v, bias, m_headDim)
                   .transpose(1, 2)
                   .reshape({b, s, m_heads * m_headDim});
    return o_proj(out);
}

MlpImpl::MlpImpl(const LlamaConfig &config, const ParameterInit &init)
{
    const auto d = config.hidden_size, f = config.intermediate_size;
    const bool bias = config.mlpBias();
    gate_proj = register_module("gate_proj", AdaptableLinear(d, f, bias, init));
    up_proj = register_module("up_proj", AdaptableLinear(d, f, bias, init));
    down_proj = register_module("down_proj", AdaptableLinear(f, d, bias, init));
}

torch::Tensor MlpImpl::forward(const torch::Tensor &u, const torch::Tensor &tokenMask)
{
    return m_adapter ? m_adapter->forward(u, tokenMask, *this) : projectionsForward(u);
}

torch::Tensor MlpImpl::projectionsForward(const torch::Tensor &u)
{
    return down_proj(F::silu(gate_proj(u)) * up_proj(u));
}

DecoderLayerImpl::DecoderLayerImpl(const LlamaConfig &config, int64_t layerIndex,
                                   const ParameterInit &init)
{
    self_attn = register_module("self_attn", Attention(config, layerIndex, init));
    mlp = register_module("mlp", Mlp(config, init));
    input_layernorm = register_module("input_layernorm",
                                      RmsNorm(config.hidden_size, config.rms_norm_eps, init));
    post_attention_layernorm = register_module(
        "post_attention_layernorm", RmsNorm(config.hidden_size, config.rms_norm_eps, init));
}

torch::Tensor DecoderLayerImpl::forward(const torch::Tensor &h, const ForwardContext &ctx,
                                        LayerKvCache *cache)
{
    auto x = h + self_attn(input_layernorm(h), ctx, cache);
    return x + mlp(post_attention_layernorm(x), ctx.tokenMask);
}

} // namespace slim::engine
