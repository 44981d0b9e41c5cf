#pragma once
// The base model's configuration, with the field names of Hugging Face's LlamaConfig so that
// config.json files of Llama, Qwen2 and Mistral checkpoints load unchanged.

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>

namespace slim::engine {

struct LlamaConfig
{
    std::string model_type = "llama"; // "llama", "qwen2" or "mistral"
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
    bool tie_word_embeddings = false;
    bool attention_bias = false; // q/k/v/o bias (Qwen2: q/k/v only, implied by model_type)
    bool mlp_bias = false;
    std::string hidden_act = "silu";
    std::string torch_dtype = "float32";
    int64_t bos_token_id = 256;
    int64_t eos_token_id = 257;
    int64_t pad_token_id = 258;

    int64_t headDim() const { return head_dim > 0 ? head_dim : hidden_size / num_attention_heads; }
    bool qkvBias() const { return attention_bias || model_type == "qwen2"; }
    bool outputBias() const { return attention_bias; }

    // Throws std::invalid_argument naming the field when the configuration is inconsistent.
    void validate() const;

    nlohmann::json toJson() const;
    // Unknown fields are ignored (HF configs carry many); a field of the wrong type, an
    // unsupported architecture or rope_scaling throws std::invalid_argument naming the field.
    static LlamaConfig fromJson(const nlohmann::json &json);
};

} // namespace slim::engine
