#pragma once
// A decoder-only transformer with the Llama architecture (LlamaForCausalLM): token embedding,
// decoder layers, final RMSNorm, LM head (tied or untied). named_parameters() use Hugging Face
// tensor names ("model.layers.0.mlp.gate_proj.weight", "lm_head.weight").

#include "llama_config.h"
#include "llama_layers.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/embedding.h>
#include <torch/types.h>

#include <vector>

namespace slim::engine {

// Keys and values of all layers for incremental decoding.
struct KvCache
{
    std::vector<LayerKvCache> layers;
    int64_t length() const { return layers.empty() || !layers[0].keys.defined()
                                         ? 0 : layers[0].keys.size(2); }
};

class LlamaBackboneImpl : public torch::nn::Module
{
public:
    LlamaBackboneImpl(const LlamaConfig &config, const ParameterInit &init);
    torch::nn::Embedding embed_tokens{nullptr};
    torch::nn::ModuleList layers{nullptr};
    RmsNorm norm{nullptr};
};
TORCH_MODULE(LlamaBackbone);

class CausalLmImpl : public torch::nn::Module
{
public:
    // A new model with random weights, or (init.random = false) uninitialised storage of
    // init.options' dtype and device for a checkpoint to fill.
    explicit CausalLmImpl(const LlamaConfig &config, const ParameterInit &init = {});

    // inputIds: [B, S] int64. attentionMask: [B, S_past + S], nonzero for real tokens; may be
    // undefined (all real). With a cache, S_past positions come from it and it is extended.
    // A packed row (integer mask numbering its examples 1, 2, ...) keeps each example's
    // positions from 0 and its attention inside the example.
    // Returns the final hidden states [B, S, d].
    torch::Tensor hiddenStates(const torch::Tensor &inputIds, const torch::Tensor &attentionMask,
                               KvCache *cache = nullptr);
    // hidden: [B, S, d] -> logits [B, S, vocab] in float32.
    torch::Tensor logitsFromHidden(const torch::Tensor &hidden);
    // inputIds [B, S] -> logits [B, S, vocab] float32.
    torch::Tensor forward(const torch::Tensor &inputIds, const torch::Tensor &attentionMask = {},
                          KvCache *cache = nullptr);

    const LlamaConfig &config() const { return m_config; }
    int64_t numLayers() const { return m_config.num_hidden_layers; }
    DecoderLayerImpl &layer(int64_t index);
    torch::Tensor lmHeadWeight() const; // [vocab, d]; the embedding when tied
    torch::Device device() const;
    // The sliding window of the layers that have one (one size per model), else 0.
    int64_t slidingWindow() const;
    // Gradient checkpointing per decoder layer while training (model/layer_checkpoint.h).
    void setGradientCheckpointing(bool on) { m_checkpointing = on; }

    LlamaBackbone model{nullptr};
    torch::Tensor lm_head_weight; // undefined when tie_word_embeddings

private:
    LlamaConfig m_config;
    bool m_checkpointing = false;
};
TORCH_MODULE(CausalLm);

// Per-token log-probabilities: out[b, i] = log P(inputIds[b, i] | inputIds[b, <i]) for i >= 1;
// out[b, 0] is NaN (nothing predicts the first token). Pad positions are NaN too.
// inputIds: [B, S] int64, attentionMask: [B, S] or undefined -> [B, S] float32.
torch::Tensor tokenLogProbs(CausalLm &model, const torch::Tensor &inputIds,
                            const torch::Tensor &attentionMask = {});

} // namespace slim::engine
