#include "llama_config.h"

#include <nlohmann/json.hpp>

#include <stdexcept>

namespace slim::engine {

namespace {

template<typename T>
void readField(const nlohmann::json &json, const char *name, T &out)
{
    auto it = json.find(name);
    if (it == json.end() || it->is_null())
        return;
    try {
        out = it->get<T>();
    } catch (const nlohmann::json::exception &) {
        throw std::invalid_argument(std::string("config.json: field '") + name
                                    + "' has the wrong type (" + it->type_name() + ")");
    }
}

void requirePositive(int64_t value, const char *name)
{
    if (value <= 0)
        throw std::invalid_argument(std::string("config: '") + name + "' must be positive, got "
                                    + std::to_string(value));
}

} // namespace

void LlamaConfig::validate() const
{
    requirePositive(vocab_size, "vocab_size");
    requirePositive(hidden_size, "hidden_size");
    requirePositive(intermediate_size, "intermediate_size");
    requirePositive(num_hidden_layers, "num_hidden_layers");
    requirePositive(num_attention_heads, "num_attention_heads");
    requirePositive(num_key_value_heads, "num_key_value_heads");
    requirePositive(max_position_embeddings, "max_position_embeddings");
    if (head_dim <= 0 && hidden_size % num_attention_heads != 0)
        throw std::invalid_argument("config: 'hidden_size' (" + std::to_string(hidden_size)
                                    + ") must be divisible by 'num_attention_heads' ("
                                    + std::to_string(num_attention_heads) + ")");
    if (num_attention_heads % num_key_value_heads != 0)
        throw std::invalid_argument("config: 'num_attention_heads' must be a multiple of "
                                    "'num_key_value_heads'");
    if (headDim() % 2 != 0)
        throw std::invalid_argument("config: the head dimension must be even for rotary "
                                    "embeddings");
    if (rms_norm_eps <= 0)
        throw std::invalid_argument("config: 'rms_norm_eps' must be positive");
    if (rope_theta <= 0)
        throw std::invalid_argument("config: 'rope_theta' must be positive");
    if (hidden_act != "silu")
        throw std::invalid_argument("config: 'hidden_act' " + hidden_act
                                    + " is not supported (only silu)");
    if (model_type != "llama" && model_type != "qwen2" && model_type != "mistral")
        throw std::invalid_argument("config: 'model_type' " + model_type
                                    + " is not supported (llama, qwen2, mistral)");
}

nlohmann::json LlamaConfig::toJson() const
{
    std::string arch = model_type == "qwen2"     ? "Qwen2ForCausalLM"
                       : model_type == "mistral" ? "MistralForCausalLM"
                                                 : "LlamaForCausalLM";
    nlohmann::json json = {
        {"architectures", {arch}},
        {"model_type", model_type},
        {"vocab_size", vocab_size},
        {"hidden_size", hidden_size},
        {"intermediate_size", intermediate_size},
        {"num_hidden_layers", num_hidden_layers},
        {"num_attention_heads", num_attention_heads},
        {"num_key_value_heads", num_key_value_heads},
        {"max_position_embeddings", max_position_embeddings},
        {"rms_norm_eps", rms_norm_eps},
        {"rope_theta", rope_theta},
        {"tie_word_embeddings", tie_word_embeddings},
        {"attention_bias", attention_bias},
        {"mlp_bias", mlp_bias},
        {"hidden_act", hidden_act},
        {"torch_dtype", torch_dtype},
        {"bos_token_id", bos_token_id},
        {"eos_token_id", eos_token_id},
        {"pad_token_id", pad_token_id},
        {"rope_scaling", nullptr},
    };
    if (head_dim > 0)
        json["head_dim"] = head_dim;
    return json;
}

LlamaConfig LlamaConfig::fromJson(const nlohmann::json &json)
{
    if (!json.is_object())
        throw std::invalid_argument("config.json: expected a JSON object");
    LlamaConfig c;
    readField(json, "model_type", c.model_type);
    readField(json, "vocab_size", c.vocab_size);
    readField(json, "hidden_size", c.hidden_size);
    readField(json, "intermediate_size", c.intermediate_size);
    readField(json, "num_hidden_layers", c.num_hidden_layers);
    readField(json, "num_attention_heads", c.num_attention_heads);
    c.num_key_value_heads = c.num_attention_heads;
    readField(json, "num_key_value_heads", c.num_key_value_heads);
    readField(json, "head_dim", c.head_dim);
    readField(json, "max_position_embeddings", c.max_position_embeddings);
    readField(json, "rms_norm_eps", c.rms_norm_eps);
    readField(json, "rope_theta", c.rope_theta);
    readField(json, "tie_word_embeddings", c.tie_word_embeddings);
    readField(json, "attention_bias", c.attention_bias);
    readField(json, "mlp_bias", c.mlp_bias);
    readField(json, "hidden_act", c.hidden_act);
    readField(json, "torch_dtype", c.torch_dtype);
    // Some configs give a list of eos ids; the first one is the one we stop on.
    if (auto it = json.find("eos_token_id"); it != json.end() && it->is_array() && !it->empty())
        c.eos_token_id = it->front().get<int64_t>();
    else
        readField(json, "eos_token_id", c.eos_token_id);
    readField(json, "bos_token_id", c.bos_token_id);
    readField(json, "pad_token_id", c.pad_token_id);
    if (auto it = json.find("rope_scaling"); it != json.end() && !it->is_null())
        throw std::invalid_argument("config.json: 'rope_scaling' is not supported yet ("
                                    + it->dump() + ")");
    c.validate();
    return c;
}

} // namespace slim::engine
