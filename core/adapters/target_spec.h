#pragma once
// Which frozen base linears an adapter wraps: "mlp" (gate/up/down), "attention" (q/k/v/o),
// "all", or a comma list of projection names ("q_proj,v_proj") and full Hugging Face module
// names ("model.layers.3.mlp.down_proj").

#include <cstdint>
#include <set>
#include <string>

namespace slim::engine {

class TargetSpec
{
public:
    // Throws std::invalid_argument naming the unknown entry.
    static TargetSpec parse(const std::string &spec);

    bool matches(int64_t layer, const std::string &projection) const;

    static const std::set<std::string> &attentionProjections(); // q_proj k_proj v_proj o_proj
    static const std::set<std::string> &mlpProjections();       // gate_proj up_proj down_proj
    // "model.layers.N.self_attn.q_proj" / "model.layers.N.mlp.gate_proj"
    static std::string moduleName(int64_t layer, const std::string &projection);

private:
    std::set<std::string> m_projections;  // in every layer
    std::set<std::string> m_moduleNames;  // exact modules
};

} // namespace slim::engine
