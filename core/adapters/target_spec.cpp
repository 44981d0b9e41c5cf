#include "target_spec.h"

#include <sstream>
#include <stdexcept>

namespace slim::engine {

const std::set<std::string> &TargetSpec::attentionProjections()
{
    static const std::set<std::string> names = {"q_proj", "k_proj", "v_proj", "o_proj"};
    return names;
}

const std::set<std::string> &TargetSpec::mlpProjections()
{
    static const std::set<std::string> names = {"gate_proj", "up_proj", "down_proj"};
    return names;
}

std::string TargetSpec::moduleName(int64_t layer, const std::string &projection)
{
    const bool attention = attentionProjections().count(projection) > 0;
    return "model.layers." + std::to_string(layer) + (attention ? ".self_attn." : ".mlp.")
           + projection;
}

TargetSpec TargetSpec::parse(const std::string &spec)
{
    TargetSpec t;
    std::stringstream in(spec);
    std::string item;
    while (std::getline(in, item, ',')) {
        item.erase(0, item.find_first_not_of(" \t"));
        item.erase(item.find_last_not_of(" \t") + 1);
        if (item.empty())
            continue;
        if (item == "mlp" || item == "all")
            t.m_projections.insert(mlpProjections().begin(), mlpProjections().end());
        if (item == "attention" || item == "all")
            t.m_projections.insert(attentionProjections().begin(), attentionProjections().end());
        if (item == "mlp" || item == "attention" || item == "all")
            continue;
        if (attentionProjections().count(item) || mlpProjections().count(item)) {
            t.m_projections.insert(item);
            continue;
        }
        const auto dot = item.rfind('.');
        const auto proj = dot == std::string::npos ? std::string() : item.substr(dot + 1);
        const auto layerStart = std::string("model.layers.").size();
        if (item.rfind("model.layers.", 0) == 0 && !proj.empty()
            && (attentionProjections().count(proj) || mlpProjections().count(proj))) {
            const auto layer = item.substr(layerStart, item.find('.', layerStart) - layerStart);
            if (!layer.empty() && layer.find_first_not_of("0123456789") == std::string::npos
                && moduleName(std::stoll(layer), proj) == item) {
                t.m_moduleNames.insert(item);
                continue;
            }
        }
        throw std::invalid_argument("adapter.targets: unknown target '" + item
                                    + "' (use mlp, attention, all, a projection name such as "
                                      "q_proj, or a module name such as "
                                      "model.layers.0.mlp.gate_proj)");
    }
    if (t.m_projections.empty() && t.m_moduleNames.empty())
        throw std::invalid_argument("adapter.targets: empty");
    return t;
}

bool TargetSpec::matches(int64_t layer, const std::string &projection) const
{
    return m_projections.count(projection) > 0
           || m_moduleNames.count(moduleName(layer, projection)) > 0;
}

} // namespace slim::engine
