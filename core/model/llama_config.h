#pragma once
// The base model's configuration, with the field names of Hugging Face's config.json so that
// checkpoints of the Llama family load unchanged: LlamaForCausalLM (Llama 2, 3, 3.1-3.3),
// MistralForCausalLM, Qwen2ForCausalLM and Qwen3ForCausalLM. What the four differ in (biases,
// Qwen3's per-head q/k norms, head_dim, sliding windows, RoPE scaling) is read from the fields
// exactly as transformers reads them (../shared/docs/hf-semantics.md); anything else is refused
// with the field's name rather than run wrongly.

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace slim::engine {

// `rope_scaling` (or transformers 5's `rope_parameters`): how the rotary inverse frequencies are
// changed for long contexts.
struct RopeScaling
{
    std::string rope_type = "default"; // "default" | "linear" | "dynamic" | "llama3"
    double factor = 1.0;
    double low_freq_factor = 1.0;                   // llama3
    double high_freq_factor = 4.0;                  // llama3
    int64_t original_max_position_embeddings = 0;   // llama3 (required there)

    bool operator==(const RopeScaling &) const = default;
};

struct LlamaConfig
{
    std::string model_type = "llama"; // "llama", "mistral", "qwen2" or "qwen3"
    int64_t vocab_size = 259;
    int64_t hidden_size = 192;
    int64_t intermediate_size = 512;
    int64_t num_hidden_layers = 4;
    int64_t num_attention_heads = 6;
    int64_t num_key_value_heads = 6;
    int64_t head_dim = 0; // 0: hidden_size / num_attention_heads
    int64_t max_position_embeddings = 512;
    double rms_norm_eps = 1e-5;
    double rope_theta = 10000.0;
    RopeScaling rope_scaling;
    bool tie_word_embeddings = false;
    bool attention_bias = false; // Llama: q/k/v/o; Qwen3: q/k/v/o; Qwen2: q/k/v always, o never
    bool mlp_bias = false;       // Llama only
    std::string hidden_act = "silu";
    std::string torch_dtype = "float32"; // the stored dtype: "float32", "bfloat16", "float16"
    // Sliding-window attention: a query at position q sees keys k with q - k < sliding_window.
    // Mistral applies it on every layer when set; Qwen2/3 only with use_sliding_window, on the
    // layers from max_window_layers on. 0 = no window.
    int64_t sliding_window = 0;
    bool use_sliding_window = false;  // Qwen2/3
    int64_t max_window_layers = 0;    // Qwen2/3
    std::vector<std::string> layer_types; // "full_attention" | "sliding_attention", if given
    int64_t bos_token_id = 256;
    int64_t eos_token_id = 257;                // the first of eos_token_ids
    std::vector<int64_t> eos_token_ids = {257}; // every id that ends generation
    int64_t pad_token_id = 258;

    int64_t headDim() const { return head_dim > 0 ? head_dim : hidden_size / num_attention_heads; }
    bool qkvBias() const { return model_type == "qwen2" || (model_type != "mistral" && attention_bias); }
    bool outputBias() const { return (model_type == "llama" || model_type == "qwen3") && attention_bias; }
    bool mlpBias() const { return model_type == "llama" && mlp_bias; }
    bool qkNorm() const { return model_type == "qwen3"; } // per-head RMSNorm on q and k
    // The window of layer `layer`, 0 when it attends to the whole causal context.
    int64_t slidingWindowOf(int64_t layer) const;
    std::string architecture() const; // "LlamaForCausalLM", ...

    // Throws std::invalid_argument naming the field when the configuration is inconsistent.
    void validate() const;

    nlohmann::json toJson() const;
    // Unknown fields are ignored (HF configs carry many); a field of the wrong type, an
    // unsupported architecture, model_type, rope type or activation throws
    // std::invalid_argument naming the field. Fields not given take the defaults of
    // transformers' config class for that model_type.
    static LlamaConfig fromJson(const nlohmann::json &json);
};

// The architectures this engine runs, as "Class (model_type)" for error messages.
std::string supportedArchitectures();

} // namespace slim::engine
