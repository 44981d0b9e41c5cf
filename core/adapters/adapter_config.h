#pragma once
// Options of every fine-tuning method, with snake_case names that mirror the papers'. One
// struct for all methods so a run spec can hold any of them; defaultsFor() gives each method's
// paper settings (slim-method.md §2-3). Fields a method does not use are ignored by it.

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace slim::engine {

enum class AdapterMethod { Full, Lora, Dora, Slim, MixLora, MixLoraDy, LoraMoe, Mola };

std::string methodName(AdapterMethod method);            // "slim", "mixlora-dy", ...
AdapterMethod methodFromName(const std::string &name);   // throws std::invalid_argument
const std::vector<AdapterMethod> &allMethods();
// SLIM, MixLoRA(-Dy), LoRAMoE, MoLA: a router sends each token to its own mix of experts.
bool isMixture(AdapterMethod method);

// PEFT's LoRA scaling: alpha / r, or alpha / sqrt(r) for rank-stabilised LoRA.
double loraScaling(double alpha, int64_t rank, bool rslora);

struct AdapterConfig
{
    AdapterMethod method = AdapterMethod::Slim;
    // Which base linears get adapters: "mlp" (gate/up/down), "attention" (q/k/v/o), "all", or a
    // comma list of projection names ("q_proj,v_proj") or full names
    // ("model.layers.0.mlp.gate_proj"). SLIM and MixLoRA always adapt the whole MLP block.
    std::string targets = "mlp";
    int64_t lora_rank = 16;
    double lora_alpha = 32.0; // scaling s = alpha / rank
    bool use_rslora = false;  // rank-stabilised LoRA: s = alpha / sqrt(rank)
    double lora_dropout = 0.0;

    // Mixtures (SLIM, MixLoRA, MixLoRA-Dy, LoRAMoE, MoLA)
    int64_t num_lora_experts = 8;
    // MoLA: expert counts from the lowest layer up, one entry per layer or per equal group of
    // consecutive layers (MoLA-V "2,4,6,8": each quarter of the layers); empty = uniform.
    std::vector<int64_t> experts_per_layer;
    int64_t top_k = 2;
    double top_p = 0.8;          // MixLoRA-Dy
    double aux_loss_coef = 0.0;  // Mixtral load-balancing loss
    // LoRAMoE's localized balancing constraint (its code's names): weight beta of the squared
    // coefficient of variation of the importance matrix, and its imbalance delta.
    double blc_weight = 0.0;
    double blc_alpha = 0.0;
    int64_t attention_lora_rank = 0; // plain LoRA on q/k/v/o beside the MLP mixture; 0 = none

    // SLIM (slim-method.md §2)
    int64_t num_identity_experts = 2;
    bool weight_yielding = true;
    double yield_gamma = 1.0;
    std::string router_input = "raw";          // "raw" | "standardised"
    int64_t num_clusters = 8;
    double cluster_beta = 0.01;
    double cluster_eps = 1e-5;
    double sigma2_floor = 1e-6;
    std::string cluster_distance = "euclidean"; // "euclidean" | "standardised"
    std::string ood_statistic = "max";          // "max" | "p99"
    std::string ood_reference = "running";      // "running": d = stat / tau - 1; "one": stat - 1
    std::string cluster_granularity = "token";  // "token" | "sequence"
    std::string cluster_init = "kmeans++";      // "kmeans++" | "random"
    int64_t cluster_reseed_after = 0;           // re-seed a cluster empty this many steps; 0 = never
    std::string merge = "fast";                 // "fast" | "naive" | "off" (plain weighted sum)
    double drop_rate = 0.5;                     // p: dropped fraction of each B A
    bool dare_rescale = false;                  // scale kept entries by 1 / (1 - p)
    std::string inference_mask = "sample";      // "sample" | "expected" | "none"
    double l1_lambda = 1e-3;

    double scaling() const { return loraScaling(lora_alpha, lora_rank, use_rslora); }
    int64_t numExperts() const { return num_lora_experts + (method == AdapterMethod::Slim
                                                                ? num_identity_experts : 0); }
    int64_t expertsInLayer(int64_t layer, int64_t numLayers) const;

    // The paper's settings for `method` (rank 128 for LoRA/DoRA, 8 x rank 16 for mixtures, ...).
    static AdapterConfig defaultsFor(AdapterMethod method);

    // Throws std::invalid_argument naming the field and the reason.
    void validate(int64_t numLayers) const;
    nlohmann::json toJson() const;
    // Starts from defaultsFor(json["method"]) and overrides the fields given. Throws
    // std::invalid_argument naming the field for a wrong type or an unknown field.
    static AdapterConfig fromJson(const nlohmann::json &json);
};

} // namespace slim::engine
