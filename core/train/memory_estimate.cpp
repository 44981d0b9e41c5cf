#include "memory_estimate.h"

#include "cuda_free_memory.h"
#include "host_memory.h"

#include "adapters/target_spec.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace slim::engine {

namespace {

std::int64_t dtypeBytes(const std::string &dtype)
{
    return dtype == "float32" || dtype == "f32" ? 4 : 2;
}

struct Projection
{
    std::string name;
    std::int64_t in, out;
};

std::vector<Projection> projectionsOf(const LlamaConfig &c)
{
    const auto d = c.hidden_size, f = c.intermediate_size;
    const auto q = c.num_attention_heads * c.headDim(), kv = c.num_key_value_heads * c.headDim();
    return {{"q_proj", d, q},       {"k_proj", d, kv},      {"v_proj", d, kv}, {"o_proj", q, d},
            {"gate_proj", d, f},    {"up_proj", d, f},      {"down_proj", f, d}};
}

std::int64_t baseParameters(const LlamaConfig &c)
{
    std::int64_t n = c.vocab_size * c.hidden_size * (c.tie_word_embeddings ? 1 : 2)
                     + c.hidden_size;
    for (const auto &p : projectionsOf(c)) {
        n += c.num_hidden_layers * p.in * p.out;
        const bool attention = TargetSpec::attentionProjections().count(p.name) > 0;
        const bool bias = attention ? (p.name == "o_proj" ? c.outputBias() : c.qkvBias())
                                    : c.mlpBias();
        if (bias)
            n += c.num_hidden_layers * p.out;
    }
    n += c.num_hidden_layers * 2 * c.hidden_size;
    if (c.qkNorm())
        n += c.num_hidden_layers * 2 * c.headDim();
    return n;
}

// Trainable parameters of the adapters, and their frozen buffers.
struct AdapterShape
{
    std::int64_t parameters = 0;
    std::int64_t buffers = 0; // float32 elements that are not trained (cluster state)
};

AdapterShape adapterShape(const LlamaConfig &c, const AdapterConfig &a)
{
    AdapterShape s;
    const auto targets = TargetSpec::parse(a.targets);
    const bool mlpMixture = a.method == AdapterMethod::Slim || a.method == AdapterMethod::MixLora
                            || a.method == AdapterMethod::MixLoraDy;
    for (std::int64_t layer = 0; layer < c.num_hidden_layers; ++layer) {
        for (const auto &p : projectionsOf(c)) {
            const bool attention = TargetSpec::attentionProjections().count(p.name) > 0;
            if (a.method == AdapterMethod::Lora || a.method == AdapterMethod::Dora) {
                if (targets.matches(layer, p.name))
                    s.parameters += a.lora_rank * (p.in + p.out)
                                    + (a.method == AdapterMethod::Dora ? p.out : 0);
            } else if (mlpMixture) {
                if (attention && a.attention_lora_rank > 0)
                    s.parameters += a.attention_lora_rank * (p.in + p.out);
                if (!attention)
                    s.parameters += a.num_lora_experts * a.lora_rank * (p.in + p.out);
            } else if (a.method != AdapterMethod::Full && targets.matches(layer, p.name)) {
                const auto n = a.expertsInLayer(layer, c.num_hidden_layers);
                s.parameters += p.in * n + n * a.lora_rank * (p.in + p.out);
            }
        }
        if (mlpMixture)
            s.parameters += c.hidden_size * a.numExperts();
        if (a.method == AdapterMethod::Slim)
            s.buffers += 2 * a.num_clusters * c.hidden_size + a.num_clusters + 2;
    }
    return s;
}

// What autograd keeps for backward, in bytes, counted tensor by tensor as the engine's layers
// compute (model/llama_layers.cpp, adapters/): a tensor is saved only where something that
// needs a gradient depends on it, so frozen projections keep nothing and the layers before the
// first adapter keep nothing at all.
class ActivationCount
{
public:
    ActivationCount(const LlamaConfig &c, const AdapterConfig &a, std::int64_t activationBytes,
                    std::int64_t batch, std::int64_t length, bool checkpointing)
        : m_c(c)
        , m_a(a)
        , m_targets(TargetSpec::parse(a.targets))
        , m_p(activationBytes)
        , m_half(activationBytes != 4)
        , m_tokens(batch * length)
        , m_pairs(batch * length * length)
        , m_checkpointing(checkpointing)
    {
    }

    // Saved by every layer and the head, plus the largest transient of the backward pass.
    std::int64_t peak() const
    {
        const bool full = m_a.method == AdapterMethod::Full;
        const auto d = m_c.hidden_size, V = m_c.vocab_size;
        std::int64_t saved = 0, largestLayer = 0;
        bool stream = full; // does the residual stream need a gradient yet?
        for (std::int64_t layer = 0; layer < m_c.num_hidden_layers; ++layer) {
            // Checkpointed layers (those whose input needs a gradient) keep only that input;
            // backward replays one layer at a time.
            const bool checkpointed = m_checkpointing && stream;
            const auto bytes = layerSaved(layer, stream);
            largestLayer = std::max(largestLayer, bytes);
            saved += checkpointed ? m_tokens * d * m_p : bytes;
        }
        // Final norm (its float32 input) and the float32 log-softmax of the logits.
        const std::int64_t head = m_tokens * ((stream ? 4 * d : 0) + (full ? 4 * d : 0) + 4 * V);
        // Backward starts with the gradients of the log-probabilities and of the logits; one
        // layer's backward holds the gradients of its attention probabilities and scores.
        const std::int64_t headTransient = 2 * 4 * m_tokens * V;
        // (checkpointed: the replayed layer's own activations, then its attention gradients)
        const std::int64_t layerTransient
            = 2 * 4 * m_pairs * m_c.num_attention_heads
              + (m_checkpointing ? largestLayer : m_tokens * 3 * m_c.intermediate_size * m_p);
        return saved + std::max(head + headTransient, layerTransient);
    }

private:
    bool adapted(std::int64_t layer, const std::string &projection) const
    {
        const bool attention = TargetSpec::attentionProjections().count(projection) > 0;
        switch (m_a.method) {
        case AdapterMethod::Full:
            return true;
        case AdapterMethod::Lora:
        case AdapterMethod::Dora:
        case AdapterMethod::LoraMoe:
        case AdapterMethod::Mola:
            return m_targets.matches(layer, projection);
        default:
            return attention ? m_a.attention_lora_rank > 0 : true;
        }
    }

    // What a projection's adapter keeps: its input (shared by projections reading the same
    // tensor: `inputKept`) and the adapter's own saved features.
    std::int64_t projectionSaved(std::int64_t layer, const Projection &p, bool &inputKept) const
    {
        if (!adapted(layer, p.name))
            return 0;
        const auto t = m_tokens;
        const bool attention = TargetSpec::attentionProjections().count(p.name) > 0;
        const bool plainLora = m_a.method == AdapterMethod::Lora || m_a.method == AdapterMethod::Dora
                               || (attention && m_a.method != AdapterMethod::Full
                                   && m_a.method != AdapterMethod::LoraMoe
                                   && m_a.method != AdapterMethod::Mola);
        std::int64_t bytes = 0;
        if (m_a.method == AdapterMethod::Full) {
            bytes += inputKept ? 0 : t * p.in * m_p;
        } else if (plainLora) {
            // float32 adapters: in half precision each projection casts its own copy
            bytes += m_half ? t * p.in * 4 : (inputKept ? 0 : t * p.in * 4);
            const auto rank = m_a.method == AdapterMethod::Lora || m_a.method == AdapterMethod::Dora
                                  ? m_a.lora_rank
                                  : m_a.attention_lora_rank;
            bytes += t * rank * 4;
            if (m_a.method == AdapterMethod::Dora)
                bytes += t * p.out * 4; // W x + s B A x, scaled by m / ||W + s B A||
        } else {
            // A bank of n experts: the input, the stacked expert features before and after
            // their routing weights; LoRAMoE / MoLA route every projection separately.
            const bool perProjection = m_a.method == AdapterMethod::LoraMoe
                                       || m_a.method == AdapterMethod::Mola;
            const auto n = perProjection ? m_a.expertsInLayer(layer, m_c.num_hidden_layers) : m_a.num_lora_experts;
            bytes += inputKept ? 0 : t * p.in * m_p;
            bytes += t * 2 * n * m_a.lora_rank * m_p;
            if (perProjection) // the router's float32 input, logits, probabilities, weights
                bytes += t * ((m_half ? p.in : 0) + 3 * n) * 4;
            // The experts' weights as the two GEMMs read them: B stacked (a copy), A masked by
            // SLIM's merge or cast to half precision (copies).
            const bool aCopied = m_half || m_a.method == AdapterMethod::Slim;
            bytes += n * m_a.lora_rank * (p.out + (aCopied ? p.in : 0)) * m_p;
        }
        inputKept = true;
        return bytes;
    }

    std::int64_t layerSaved(std::int64_t layer, bool &stream) const
    {
        const bool full = m_a.method == AdapterMethod::Full;
        const auto d = m_c.hidden_size, f = m_c.intermediate_size, hd = m_c.headDim();
        const auto h = m_c.num_attention_heads, kv = m_c.num_key_value_heads;
        const auto t = m_tokens;
        const auto projections = projectionsOf(m_c);
        std::int64_t bytes = 0;
        // Input norm: its float32 input; with trained norm weights also the normalised input.
        if (stream)
            bytes += t * d * 4 * (full ? 2 : 1);
        bool qkvInput = false, attention = stream;
        for (size_t i = 0; i < 3; ++i) {
            bytes += projectionSaved(layer, projections[i], qkvInput);
            attention = attention || adapted(layer, projections[i].name);
        }
        if (attention) {
            // q k^T keeps q and the keys repeated to every query head (float32 copies in half
            // precision); the float32 softmax output; probabilities @ v keeps them (cast back
            // in half precision) and the repeated values.
            const auto keys = kv < h ? h * hd : kv * hd;
            bytes += t * (h * hd + keys) * (m_half ? 4 : m_p);
            bytes += m_pairs * h * (4 + (m_half ? m_p : 0));
            bytes += t * keys * m_p;
            if (m_c.qkNorm())
                bytes += t * (h + kv) * hd * 4 * (full ? 2 : 1);
        }
        bool oInput = false;
        bytes += projectionSaved(layer, projections[3], oInput);
        stream = stream || attention;
        if (stream) // post-attention norm, as the input norm
            bytes += t * d * 4 * (full ? 2 : 1);
        const bool mixLora = m_a.method == AdapterMethod::MixLora
                             || m_a.method == AdapterMethod::MixLoraDy;
        if (mixLora) {
            // Each token runs its top_k experts' SwiGLU blocks on the rows routed to them:
            // per routed token its input, gate, silu(gate), up, their product, the expert's
            // output (weighted by the router) and three LoRA features; the router keeps its
            // float32 input, logits, probabilities and weights.
            bytes += m_a.top_k * t * (4 * f + 2 * d + 3 * m_a.lora_rank) * m_p;
            bytes += t * (d + 3 * m_a.numExperts()) * 4;
            if (m_half) // each expert's A and B cast to half precision
                bytes += m_a.num_lora_experts * m_a.lora_rank * 3 * (d + f) * m_p;
            stream = true;
            return bytes;
        }
        bool mlpInput = false, downInput = false;
        bytes += projectionSaved(layer, projections[4], mlpInput);
        bytes += projectionSaved(layer, projections[5], mlpInput);
        const bool mlp = stream || mlpInput;
        if (mlp) // silu keeps gate; gate * up keeps silu(gate) and up
            bytes += t * 3 * f * m_p;
        if (m_a.method == AdapterMethod::Slim) // router: float32 input, logits, probs, weights
            bytes += t * ((m_half ? d : 0) + 3 * m_a.numExperts()) * 4;
        bytes += projectionSaved(layer, projections[6], downInput);
        stream = stream || mlp;
        return bytes;
    }

    const LlamaConfig &m_c;
    const AdapterConfig &m_a;
    TargetSpec m_targets;
    std::int64_t m_p;
    bool m_half;
    std::int64_t m_tokens, m_pairs;
    bool m_checkpointing;
};

} // namespace

MemoryEstimate estimateTrainingMemory(const LlamaConfig &config, const AdapterConfig &adapter,
                                      const TrainOptions &options, const std::string &baseDtype)
{
    MemoryEstimate m;
    const bool full = adapter.method == AdapterMethod::Full;
    const auto p = full ? 4 : dtypeBytes(baseDtype);
    m.base_parameters = baseParameters(config);
    m.weights = m.base_parameters * p;
    const auto shape = adapterShape(config, adapter);
    m.trainable_parameters = full ? m.base_parameters : shape.parameters;
    m.adapters = full ? 0 : 4 * (shape.parameters + shape.buffers);
    m.gradients = 4 * m.trainable_parameters;
    m.optimizer = 8 * m.trainable_parameters;
    const auto micro = std::max<std::int64_t>(
        1, options.batch_size / std::max<std::int64_t>(1, options.grad_accum));
    m.activations = ActivationCount(config, adapter, p, micro, options.max_length,
                                    options.gradient_checkpointing)
                        .peak();
    return m;
}

std::int64_t availableDeviceMemory(const std::string &device)
{
    if (device.rfind("cuda", 0) == 0) {
        const auto colon = device.find(':');
        int index = 0;
        if (colon != std::string::npos) {
            const auto digits = device.substr(colon + 1);
            if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos)
                return -1;
            index = std::stoi(digits);
        }
        return cudaFreeMemory(index);
    }
    return availableHostMemory().bytes;
}


} // namespace slim::engine
