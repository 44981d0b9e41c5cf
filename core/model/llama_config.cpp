#include "llama_config.h"

#include <nlohmann/json.hpp>

#include <array>
#include <cmath>
#include <limits>
#include <type_traits>
#include <stdexcept>

namespace slim::engine {

namespace {

struct Architecture
{
    const char *className;
    const char *modelType;
};

constexpr std::array<Architecture, 4> kArchitectures {{
    {"LlamaForCausalLM", "llama"},
    {"MistralForCausalLM", "mistral"},
    {"Qwen2ForCausalLM", "qwen2"},
    {"Qwen3ForCausalLM", "qwen3"},
}};

const Architecture *architectureOfType(const std::string &modelType)
{
    for (const auto &a : kArchitectures) {
        if (modelType == a.modelType)
            return &a;
    }
    return nullptr;
}

const Architecture *architectureOfClass(const std::string &className)
{
    for (const auto &a : kArchitectures) {
        if (className == a.className)
            return &a;
    }
    return nullptr;
}

[[noreturn]] void refuse(const std::string &what)
{
    throw std::invalid_argument("config.json: " + what);
}

template<typename T>
bool readField(const nlohmann::json &json, const char *name, T &out)
{
    auto it = json.find(name);
    if (it == json.end() || it->is_null())
        return false;
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
        // A count written as a float (4096.0) is read when it is whole and fits; anything else
        // would be undefined behaviour to convert.
        if (it->is_number_float()) {
            const double value = it->get<double>();
            if (!(value >= double(std::numeric_limits<T>::min())
                  && value < double(std::numeric_limits<T>::max()) && value == std::floor(value)))
                refuse(std::string("field '") + name + "' must be an integer, got " + it->dump());
            out = static_cast<T>(value);
            return true;
        }
    }
    try {
        out = it->get<T>();
    } catch (const nlohmann::json::exception &) {
        refuse(std::string("field '") + name + "' has the wrong type (" + it->type_name() + ")");
    }
    return true;
}

void requirePositive(int64_t value, const char *name)
{
    if (value <= 0)
        throw std::invalid_argument(std::string("config: '") + name + "' must be positive, got "
                                    + std::to_string(value));
}

// `rope_scaling` as transformers reads it: the type under "rope_type" (new) or "type" (old).
RopeScaling readRopeScaling(const nlohmann::json &json, const char *field)
{
    if (!json.is_object())
        refuse(std::string("'") + field + "' must be an object, got " + json.dump());
    RopeScaling r;
    readField(json, "type", r.rope_type);
    readField(json, "rope_type", r.rope_type);
    const std::string where = std::string("'") + field + "'";
    if (r.rope_type != "default" && r.rope_type != "linear" && r.rope_type != "dynamic"
        && r.rope_type != "llama3")
        refuse(where + ": rope type '" + r.rope_type
               + "' is not supported (default, linear, dynamic, llama3)");
    if (r.rope_type == "default")
        return r;
    if (!readField(json, "factor", r.factor))
        refuse(where + ": rope type '" + r.rope_type + "' needs 'factor'");
    if (r.factor < 1.0)
        refuse(where + ": 'factor' must be at least 1, got " + std::to_string(r.factor));
    if (r.rope_type == "llama3") {
        readField(json, "low_freq_factor", r.low_freq_factor);
        readField(json, "high_freq_factor", r.high_freq_factor);
        if (!readField(json, "original_max_position_embeddings",
                       r.original_max_position_embeddings))
            refuse(where + ": rope type 'llama3' needs 'original_max_position_embeddings'");
        if (r.original_max_position_embeddings <= 0)
            refuse(where + ": 'original_max_position_embeddings' must be positive");
        if (r.high_freq_factor <= r.low_freq_factor)
            refuse(where + ": 'high_freq_factor' must be larger than 'low_freq_factor'");
    }
    for (const char *unsupported : {"attention_factor", "beta_fast", "beta_slow", "short_factor",
                                    "long_factor", "mrope_section"}) {
        if (json.contains(unsupported) && !json[unsupported].is_null())
            refuse(where + ": '" + std::string(unsupported) + "' is not supported with rope type '"
                   + r.rope_type + "'");
    }
    return r;
}

} // namespace

std::string supportedArchitectures()
{
    std::string out;
    for (const auto &a : kArchitectures)
        out += std::string(out.empty() ? "" : ", ") + a.className + " (" + a.modelType + ")";
    return out;
}

std::string LlamaConfig::architecture() const
{
    const auto *a = architectureOfType(model_type);
    return a ? a->className : "LlamaForCausalLM";
}

int64_t LlamaConfig::slidingWindowOf(int64_t layer) const
{
    if (!layer_types.empty())
        return layer_types.at(size_t(layer)) == "sliding_attention" ? sliding_window : 0;
    if (sliding_window <= 0)
        return 0;
    if (model_type == "mistral")
        return sliding_window;
    if ((model_type == "qwen2" || model_type == "qwen3") && use_sliding_window
        && layer >= max_window_layers)
        return sliding_window;
    return 0;
}

void LlamaConfig::validate() const
{
    requirePositive(vocab_size, "vocab_size");
    requirePositive(hidden_size, "hidden_size");
    requirePositive(intermediate_size, "intermediate_size");
    requirePositive(num_hidden_layers, "num_hidden_layers");
    requirePositive(num_attention_heads, "num_attention_heads");
    requirePositive(num_key_value_heads, "num_key_value_heads");
    requirePositive(max_position_embeddings, "max_position_embeddings");
    if (head_dim < 0)
        throw std::invalid_argument("config: 'head_dim' must be positive");
    if (head_dim == 0 && hidden_size % num_attention_heads != 0)
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
    if (!architectureOfType(model_type))
        throw std::invalid_argument("config: 'model_type' " + model_type
                                    + " is not supported (" + supportedArchitectures() + ")");
    if (sliding_window < 0)
        throw std::invalid_argument("config: 'sliding_window' must not be negative");
    if (!layer_types.empty()) {
        if (int64_t(layer_types.size()) != num_hidden_layers)
            throw std::invalid_argument("config: 'layer_types' has "
                                        + std::to_string(layer_types.size())
                                        + " entries for " + std::to_string(num_hidden_layers)
                                        + " layers");
        for (const auto &t : layer_types) {
            if (t != "full_attention" && t != "sliding_attention")
                throw std::invalid_argument("config: 'layer_types' entry '" + t
                                            + "' is not supported (full_attention, "
                                              "sliding_attention)");
            if (t == "sliding_attention" && sliding_window <= 0)
                throw std::invalid_argument("config: 'layer_types' asks for sliding attention "
                                            "but 'sliding_window' is not set");
        }
    }
    if (torch_dtype != "float32" && torch_dtype != "bfloat16" && torch_dtype != "float16")
        throw std::invalid_argument("config: 'torch_dtype' " + torch_dtype
                                    + " is not supported (float32, bfloat16, float16)");
}

nlohmann::json LlamaConfig::toJson() const
{
    nlohmann::json json = {
        {"architectures", {architecture()}},
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
        {"hidden_act", hidden_act},
        {"torch_dtype", torch_dtype},
        {"bos_token_id", bos_token_id},
        {"pad_token_id", pad_token_id},
        {"rope_scaling", nullptr},
    };
    json["eos_token_id"] = eos_token_ids.size() == 1 ? nlohmann::json(eos_token_ids.front())
                                                     : nlohmann::json(eos_token_ids);
    if (model_type != "mistral" && model_type != "qwen2")
        json["attention_bias"] = attention_bias;
    if (model_type == "llama")
        json["mlp_bias"] = mlp_bias;
    if (head_dim > 0)
        json["head_dim"] = head_dim;
    if (rope_scaling.rope_type != "default") {
        auto &r = json["rope_scaling"];
        r = {{"rope_type", rope_scaling.rope_type}, {"factor", rope_scaling.factor}};
        if (rope_scaling.rope_type == "llama3") {
            r["low_freq_factor"] = rope_scaling.low_freq_factor;
            r["high_freq_factor"] = rope_scaling.high_freq_factor;
            r["original_max_position_embeddings"] = rope_scaling.original_max_position_embeddings;
        }
    }
    if (model_type == "mistral")
        json["sliding_window"] = sliding_window > 0 ? nlohmann::json(sliding_window) : nullptr;
    if (model_type == "qwen2" || model_type == "qwen3") {
        json["sliding_window"] = sliding_window > 0 ? nlohmann::json(sliding_window) : nullptr;
        json["use_sliding_window"] = use_sliding_window;
        json["max_window_layers"] = max_window_layers;
    }
    if (!layer_types.empty())
        json["layer_types"] = layer_types;
    return json;
}

LlamaConfig LlamaConfig::fromJson(const nlohmann::json &json)
{
    if (!json.is_object())
        refuse("expected a JSON object");
    LlamaConfig c;
    // The architecture: `architectures` names the class, `model_type` the family; they must agree.
    std::string className;
    if (auto it = json.find("architectures"); it != json.end() && !it->is_null()) {
        if (!it->is_array() || it->empty() || !it->front().is_string())
            refuse("'architectures' must be a list of class names, got " + it->dump());
        if (it->size() > 1)
            refuse("'architectures' lists " + std::to_string(it->size())
                   + " classes; one is expected");
        className = it->front().get<std::string>();
        const auto *a = architectureOfClass(className);
        if (!a)
            refuse("'architectures' " + className + " is not supported ("
                   + supportedArchitectures() + ")");
        c.model_type = a->modelType;
    }
    if (readField(json, "model_type", c.model_type) && !architectureOfType(c.model_type))
        refuse("'model_type' " + c.model_type + " is not supported (" + supportedArchitectures()
               + ")");
    if (!className.empty() && architectureOfClass(className)->modelType != c.model_type)
        refuse("'architectures' " + className + " does not match 'model_type' " + c.model_type);
    if (className.empty() && !json.contains("model_type"))
        refuse("neither 'architectures' nor 'model_type' is given");

    // Defaults of transformers' config classes, for fields a config.json leaves out.
    const bool qwen = c.model_type == "qwen2" || c.model_type == "qwen3";
    c.rms_norm_eps = 1e-6;
    c.max_position_embeddings = c.model_type == "llama" ? 2048 : qwen ? 32768 : 4096 * 32;
    c.sliding_window = c.model_type == "mistral" ? 4096 : qwen ? 4096 : 0;
    c.max_window_layers = 28;
    c.head_dim = c.model_type == "qwen3" ? 128 : 0;
    c.torch_dtype = "float32";
    c.bos_token_id = 1;
    c.eos_token_ids = {2};
    c.pad_token_id = -1;

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
    if (!readField(json, "torch_dtype", c.torch_dtype))
        readField(json, "dtype", c.torch_dtype); // transformers 5's name
    if (json.contains("sliding_window") && json["sliding_window"].is_null())
        c.sliding_window = 0;
    readField(json, "sliding_window", c.sliding_window);
    readField(json, "use_sliding_window", c.use_sliding_window);
    readField(json, "max_window_layers", c.max_window_layers);
    readField(json, "layer_types", c.layer_types);
    if (qwen && !c.use_sliding_window && !json.contains("layer_types"))
        c.sliding_window = 0; // transformers drops the window unless use_sliding_window
    if (auto it = json.find("eos_token_id"); it != json.end() && it->is_array()) {
        if (it->empty())
            refuse("'eos_token_id' is an empty list");
        readField(json, "eos_token_id", c.eos_token_ids);
    } else if (int64_t eos = 0; readField(json, "eos_token_id", eos)) {
        c.eos_token_ids = {eos};
    }
    c.eos_token_id = c.eos_token_ids.front();
    readField(json, "bos_token_id", c.bos_token_id);
    readField(json, "pad_token_id", c.pad_token_id);

    if (auto it = json.find("rope_scaling"); it != json.end() && !it->is_null())
        c.rope_scaling = readRopeScaling(*it, "rope_scaling");
    // transformers 5 moves rope_theta and the scaling into `rope_parameters`.
    if (auto it = json.find("rope_parameters"); it != json.end() && !it->is_null()) {
        c.rope_scaling = readRopeScaling(*it, "rope_parameters");
        readField(*it, "rope_theta", c.rope_theta);
    }
    if (auto it = json.find("partial_rotary_factor"); it != json.end() && !it->is_null()
                                                      && it->get<double>() != 1.0)
        refuse("'partial_rotary_factor' " + it->dump() + " is not supported (only 1.0)");
    if (auto it = json.find("quantization_config"); it != json.end() && !it->is_null())
        refuse("'quantization_config' is set: quantized checkpoints are not supported; use the "
               "unquantized bf16/f16/f32 weights");
    if (auto it = json.find("pretraining_tp"); it != json.end() && it->is_number()
                                               && it->get<double>() < 1)
        refuse("'pretraining_tp' must be at least 1");
    try {
        c.validate();
    } catch (const std::invalid_argument &e) {
        refuse(std::string(e.what()).substr(std::string("config: ").size()));
    }
    return c;
}

} // namespace slim::engine
