#include "adapter_schema.h"

#include "adapter_config.h"

namespace slim::engine {

namespace {

using spec::FieldSpec;
using spec::FieldType;

const std::vector<std::string> kAdapters = {"lora", "dora", "slim", "mixlora", "mixlora-dy",
                                            "loramoe", "mola"};
const std::vector<std::string> kMixtures = {"slim", "mixlora", "mixlora-dy", "loramoe", "mola"};
const std::vector<std::string> kSlim = {"slim"};

FieldSpec field(const std::string &name, FieldType type, nlohmann::json def, double min,
                double max, std::string help, std::vector<std::string> methods,
                std::vector<std::string> choices = {})
{
    FieldSpec f;
    f.path = "adapter." + name;
    f.type = type;
    f.default_value = std::move(def);
    f.min = min;
    f.max = max;
    f.help = std::move(help);
    f.methods = std::move(methods);
    f.choices = std::move(choices);
    return f;
}

std::vector<FieldSpec> buildSpecs()
{
    const auto slim = AdapterConfig::defaultsFor(AdapterMethod::Slim);
    const double inf = std::numeric_limits<double>::infinity();
    using T = FieldType;
    return {
        field("targets", T::String, "mlp", -inf, inf,
              "Which base linears get adapters: mlp, attention, all, or a comma list of "
              "projection names (q_proj, ...) or module names (model.layers.0.mlp.gate_proj).",
              {"lora", "dora", "loramoe", "mola"}),
        field("lora_rank", T::Integer, slim.lora_rank, 1, 65536,
              "Rank r of each LoRA (per expert for mixtures). Paper: 128 for LoRA/DoRA, 16 per "
              "expert for mixtures.", kAdapters),
        field("lora_alpha", T::Number, slim.lora_alpha, 1e-6, 1e9,
              "LoRA alpha; the delta is scaled by alpha / rank.", kAdapters),
        field("use_rslora", T::Boolean, false, -inf, inf,
              "Rank-stabilised LoRA: scale the delta by alpha / sqrt(rank) instead of alpha / "
              "rank (PEFT's use_rslora).", kAdapters),
        field("lora_dropout", T::Number, 0.0, 0.0, 0.99, "Dropout on the LoRA input.", kAdapters),
        field("num_lora_experts", T::Integer, slim.num_lora_experts, 1, 256,
              "LoRA experts per mixture (paper: 8).", kMixtures),
        field("experts_per_layer", T::IntegerList, nlohmann::json::array(), 1, 256,
              "MoLA: expert counts from the lowest layer up, one entry per layer or per equal "
              "group of consecutive layers; empty = num_lora_experts everywhere. The MoLA presets "
              "use MoLA-V, the MoLA paper's best allocation: 2, 4, 6, 8 (one entry per quarter).",
              {"mola"}),
        field("top_k", T::Integer, slim.top_k, 1, 256,
              "Experts chosen per token, weights renormalised over them (paper: 2).",
              {"slim", "mixlora", "mola"}),
        field("top_p", T::Number, 0.8, 1e-6, 1.0,
              "MixLoRA-Dy: smallest set of experts whose probability reaches p.", {"mixlora-dy"}),
        field("aux_loss_coef", T::Number, 0.0, 0.0, 1e3,
              "Weight of the Mixtral load-balancing loss (MixLoRA: 0.001; off for SLIM). Not "
              "LoRAMoE: its dense router selects every expert, so this loss is a constant.",
              {"slim", "mixlora", "mixlora-dy", "mola"}),
        field("blc_weight", T::Number, 0.1, 0.0, 1e3,
              "LoRAMoE's localized balancing constraint: weight beta of the squared coefficient "
              "of variation of the importance matrix (per-sample router mass of each expert, "
              "scaled by 1 +- blc_alpha by expert group and sample type); 0 = off. LoRAMoE "
              "paper: 0.1.", {"loramoe"}),
        field("blc_alpha", T::Number, 0.1, 0.0, 0.99,
              "LoRAMoE's imbalance delta between its two expert groups (first half: world "
              "knowledge, second half: downstream tasks). LoRAMoE paper: 0.1.", {"loramoe"}),
        field("attention_lora_rank", T::Integer, 0, 0, 65536,
              "Plain LoRA rank on q/k/v/o beside the MLP mixture; 0 = none (SLIM default: the "
              "paper's ablation shows attention LoRA adds forgetting).",
              {"slim", "mixlora", "mixlora-dy"}),
        field("l1_lambda", T::Number, slim.l1_lambda, 0.0, 1e3,
              "Weight of the L1 term (sum of mean |A| + mean |B|); paper SLIM: 1e-3.", kAdapters),
        field("num_identity_experts", T::Integer, slim.num_identity_experts, 0, 64,
              "Identity experts (no parameters; route to the untouched base). Paper: 2.", kSlim),
        field("weight_yielding", T::Boolean, true, -inf, inf,
              "Raise identity experts' logits by gamma * d+ for inputs far from the clusters.",
              kSlim),
        field("yield_gamma", T::Number, slim.yield_gamma, 0.0, 1e6, "Yielding strength gamma.",
              kSlim),
        field("router_input", T::Choice, "raw", -inf, inf,
              "Router sees u (raw) or (u - c_idx) / sigma_idx (standardised).", kSlim,
              {"raw", "standardised"}),
        field("num_clusters", T::Integer, slim.num_clusters, 1, 4096,
              "Sliding-clustering centres per layer (N_c).", kSlim),
        field("cluster_beta", T::Number, slim.cluster_beta, 1e-9, 1.0,
              "Moving-average rate of the centres and variances.", kSlim),
        field("cluster_eps", T::Number, slim.cluster_eps, 0.0, 1.0, "eps in d(u).", kSlim),
        field("sigma2_floor", T::Number, slim.sigma2_floor, 0.0, 1.0,
              "Lower bound of each channel's variance.", kSlim),
        field("cluster_distance", T::Choice, "euclidean", -inf, inf,
              "Assignment distance.", kSlim, {"euclidean", "standardised"}),
        field("ood_statistic", T::Choice, "max", -inf, inf,
              "Over channels: max (paper) or 99th percentile.", kSlim, {"max", "p99"}),
        field("ood_reference", T::Choice, "running", -inf, inf,
              "running: d = stat / tau - 1 with tau the running in-domain mean (default); one: "
              "the literal d = stat - 1, which yields nearly every token at hidden sizes >= 32.",
              kSlim, {"running", "one"}),
        field("cluster_granularity", T::Choice, "token", -inf, inf,
              "One d+ per token, or per sequence (mean-pooled).", kSlim, {"token", "sequence"}),
        field("cluster_init", T::Choice, "kmeans++", -inf, inf,
              "Seeding of the centres from the first batch.", kSlim, {"kmeans++", "random"}),
        field("cluster_reseed_after", T::Integer, 0, 0, 1e9,
              "Re-seed a cluster empty for this many steps; 0 = never.", kSlim),
        field("merge", T::Choice, "fast", -inf, inf,
              "Dynamic merging: fast (row/column masks), naive (dense mask), off (no dropping).",
              kSlim, {"fast", "naive", "off"}),
        field("drop_rate", T::Number, slim.drop_rate, 0.0, 0.99,
              "p: dropped fraction of each B A (paper sweeps 0.1-0.7).", kSlim),
        field("dare_rescale", T::Boolean, false, -inf, inf,
              "Scale kept entries by 1 / (1 - p) as DARE does.", kSlim),
        field("inference_mask", T::Choice, "sample", -inf, inf,
              "Masks at inference: sample (seeded), expected (deterministic), none.", kSlim,
              {"sample", "expected", "none"}),
    };
}

} // namespace

const std::vector<spec::FieldSpec> &adapterFieldSpecs()
{
    static const std::vector<spec::FieldSpec> specs = buildSpecs();
    return specs;
}

} // namespace slim::engine
