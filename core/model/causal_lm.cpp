#include "causal_lm.h"

#include "forward_scope.h"
#include "layer_checkpoint.h"
#include "rotary.h"

#include <torch/torch.h>

#include <limits>

namespace slim::engine {

namespace {

// Large finite negative instead of -inf: a fully masked row (a pad query) then softmaxes to a
// harmless uniform row instead of NaN.
constexpr double kMaskValue = -1e9;

} // namespace

LlamaBackboneImpl::LlamaBackboneImpl(const LlamaConfig &config, const ParameterInit &init)
{
    const auto table = init.normal({config.vocab_size, config.hidden_size}, 0.02);
    embed_tokens = register_module(
        "embed_tokens", torch::nn::Embedding(torch::nn::EmbeddingOptions(config.vocab_size,
                                                                         config.hidden_size)
                                                 ._weight(table)));
    layers = register_module("layers", torch::nn::ModuleList());
    for (int64_t i = 0; i < config.num_hidden_layers; ++i)
        layers->push_back(DecoderLayer(config, i, init));
    norm = register_module("norm", RmsNorm(config.hidden_size, config.rms_norm_eps, init));
}

CausalLmImpl::CausalLmImpl(const LlamaConfig &config, const ParameterInit &init)
    : m_config(config)
{
    config.validate();
    model = register_module("model", LlamaBackbone(config, init));
    if (!config.tie_word_embeddings) {
        lm_head_weight = init.normal({config.vocab_size, config.hidden_size}, 0.02);
        // A child module named "lm_head" gives the HF name "lm_head.weight".
        auto head = std::make_shared<torch::nn::Module>("lm_head");
        lm_head_weight = head->register_parameter("weight", lm_head_weight);
        register_module("lm_head", head);
    }
}

int64_t CausalLmImpl::slidingWindow() const
{
    for (int64_t i = 0; i < m_config.num_hidden_layers; ++i) {
        if (m_config.slidingWindowOf(i) > 0)
            return m_config.slidingWindowOf(i);
    }
    return 0;
}

DecoderLayerImpl &CausalLmImpl::layer(int64_t index)
{
    return *model->layers->ptr<DecoderLayerImpl>(index);
}

torch::Tensor CausalLmImpl::lmHeadWeight() const
{
    return lm_head_weight.defined() ? lm_head_weight : model->embed_tokens->weight;
}

torch::Device CausalLmImpl::device() const
{
    return model->embed_tokens->weight.device();
}

torch::Tensor CausalLmImpl::hiddenStates(const torch::Tensor &inputIds,
                                         const torch::Tensor &attentionMask, KvCache *cache)
{
    TORCH_CHECK(inputIds.dim() == 2, "inputIds must be [batch, seq], got ", inputIds.sizes());
    const auto b = inputIds.size(0), s = inputIds.size(1);
    const auto past = cache ? cache->length() : 0;
    const auto total = past + s;
    const auto device = inputIds.device();
    auto fullMask = attentionMask.defined()
                        ? attentionMask.to(device).to(torch::kBool)
                        : torch::ones({b, total}, torch::TensorOptions().dtype(torch::kBool).device(device));
    TORCH_CHECK(fullMask.size(0) == b && fullMask.size(1) == total,
                "attentionMask must be [batch, past + seq] = [", b, ", ", total, "], got ",
                fullMask.sizes());
    // Packed rows number their examples 1, 2, ... in the mask: each starts at position 0 and
    // sees only itself (what transformers does for packed rows with position_ids).
    const bool packed = attentionMask.defined() && !attentionMask.is_floating_point()
                        && attentionMask.scalar_type() != torch::kBool
                        && attentionMask.numel() > 0 && attentionMask.max().item<int64_t>() > 1;
    torch::Tensor example; // [B, total] int64, packed rows only
    if (packed)
        example = attentionMask.to(device).to(torch::kLong);

    ForwardContext ctx;
    // Positions count real tokens only, so left-padded prompts get the positions they would
    // have unpadded (as Hugging Face does).
    auto counted = fullMask.to(torch::kLong).cumsum(1);
    if (packed) {
        // Real tokens before the example starts: the count at its first token, minus one.
        auto previous = torch::cat({torch::zeros({b, 1}, example.options()),
                                    example.slice(1, 0, total - 1)}, 1);
        auto starts = (example != previous) & fullMask;
        counted = counted - std::get<0>(torch::cummax(torch::where(starts, counted - 1,
                                                                   torch::zeros_like(counted)), 1));
    }
    auto positions = (counted - 1).clamp_min(0).slice(1, past);
    auto h = model->embed_tokens(inputIds);
    // Dynamic NTK scaling depends on how far positions reach (max position + 1); only it needs
    // that host sync.
    const bool dynamicRope = m_config.rope_scaling.rope_type == "dynamic";
    const auto reach = dynamicRope && positions.numel() ? positions.max().item<int64_t>() + 1 : 0;
    std::tie(ctx.cos, ctx.sin) = rotaryTables(
        positions, ropeInverseFrequencies(m_config, reach, device), h.scalar_type());
    ctx.tokenMask = fullMask.slice(1, past);

    auto opts = torch::TensorOptions().dtype(torch::kBool).device(device);
    auto queryPos = torch::arange(past, total, opts.dtype(torch::kLong)).unsqueeze(1);
    auto keyPos = torch::arange(0, total, opts.dtype(torch::kLong)).unsqueeze(0);
    auto causal = (keyPos <= queryPos).unsqueeze(0) & fullMask.unsqueeze(1); // [B, S, total]
    if (packed)
        causal = causal & (example.slice(1, past).unsqueeze(2) == example.unsqueeze(1));
    auto biasOf = [&](const torch::Tensor &allowed) {
        return torch::zeros({b, 1, s, total}, opts.dtype(torch::kFloat))
            .masked_fill(allowed.logical_not().unsqueeze(1), kMaskValue);
    };
    ctx.attentionBias = biasOf(causal);
    // Sliding window (Mistral, Qwen with use_sliding_window): q - k < window. Positions here are
    // slots in the sequence, as in transformers' mask (left padding counts).
    const auto window = slidingWindow();
    if (window > 0 && total > window)
        ctx.slidingBias = biasOf(causal & ((queryPos - keyPos) < window).unsqueeze(0));

    ForwardScope scope(ctx.tokenMask);
    if (cache && cache->layers.size() != size_t(m_config.num_hidden_layers))
        cache->layers.resize(m_config.num_hidden_layers);
    const bool checkpoint = m_checkpointing && is_training() && !cache
                            && torch::GradMode::is_enabled();
    for (int64_t i = 0; i < m_config.num_hidden_layers; ++i) {
        // A layer whose input needs no gradient (before the first adapter) keeps little anyway.
        h = checkpoint && h.requires_grad()
                ? checkpointedLayer(layer(i), h, ctx)
                : layer(i).forward(h, ctx, cache ? &cache->layers[i] : nullptr);
    }
    return model->norm(h);
}

torch::Tensor CausalLmImpl::logitsFromHidden(const torch::Tensor &hidden)
{
    return torch::matmul(hidden, lmHeadWeight().t()).to(torch::kFloat);
}

torch::Tensor CausalLmImpl::forward(const torch::Tensor &inputIds,
                                    const torch::Tensor &attentionMask, KvCache *cache)
{
    return logitsFromHidden(hiddenStates(inputIds, attentionMask, cache));
}

torch::Tensor tokenLogProbs(CausalLm &model, const torch::Tensor &inputIds,
                            const torch::Tensor &attentionMask)
{
    auto logits = model->forward(inputIds, attentionMask);           // [B, S, V]
    auto logProbs = torch::log_softmax(logits.slice(1, 0, -1), -1);  // predicts 1..S-1
    auto next = inputIds.slice(1, 1).unsqueeze(-1);
    auto picked = logProbs.gather(-1, next).squeeze(-1);             // [B, S-1]
    auto nan = torch::full({inputIds.size(0), 1}, std::numeric_limits<float>::quiet_NaN(),
                           picked.options());
    auto out = torch::cat({nan, picked}, 1);
    if (attentionMask.defined())
        out = out.masked_fill(attentionMask.to(out.device()).to(torch::kBool).logical_not(),
                              std::numeric_limits<float>::quiet_NaN());
    return out;
}

} // namespace slim::engine
