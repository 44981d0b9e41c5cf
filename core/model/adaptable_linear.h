#pragma once
// A frozen-able linear projection (Hugging Face naming: parameters "weight" [out, in] and
// optional "bias" [out]) with a hook through which an adapter (LoRA, DoRA, a per-projection
// mixture) computes the output instead. The adapter's parameters live in the AdapterSet, not
// here, so the model's named_parameters() are exactly the checkpoint's tensors.

#include "parameter_init.h"

#include <torch/nn/module.h>
#include <torch/types.h>

#include <memory>

namespace slim::engine {

class AdaptableLinearImpl;

// Computes a projection's output in place of the base linear. Implementations hold their own
// parameters; `base` gives the frozen weight and the plain forward.
class ProjectionAdapter
{
public:
    virtual ~ProjectionAdapter() = default;
    // x: [..., in_features] -> [..., out_features]
    virtual torch::Tensor forward(const torch::Tensor &x, const AdaptableLinearImpl &base) = 0;
};

class AdaptableLinearImpl : public torch::nn::Module
{
public:
    // Random init (N(0, 0.02), zero bias) unless `init` asks for empty storage to be filled.
    AdaptableLinearImpl(int64_t inFeatures, int64_t outFeatures, bool withBias,
                        const ParameterInit &init = {});

    // x: [..., in] -> [..., out], through the adapter when one is attached.
    torch::Tensor forward(const torch::Tensor &x);
    // The base projection alone, whatever adapter is attached.
    torch::Tensor baseForward(const torch::Tensor &x) const;

    void setAdapter(std::shared_ptr<ProjectionAdapter> adapter) { m_adapter = std::move(adapter); }
    ProjectionAdapter *adapter() const { return m_adapter.get(); }

    int64_t inFeatures() const { return weight.size(1); }
    int64_t outFeatures() const { return weight.size(0); }

    torch::Tensor weight; // [out, in]
    torch::Tensor bias;   // [out], undefined without bias

private:
    std::shared_ptr<ProjectionAdapter> m_adapter;
};
TORCH_MODULE(AdaptableLinear);

} // namespace slim::engine
