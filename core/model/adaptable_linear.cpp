#include "adaptable_linear.h"

#include <torch/nn/functional.h>
#include <torch/nn/init.h>

namespace slim::engine {

AdaptableLinearImpl::AdaptableLinearImpl(int64_t inFeatures, int64_t outFeatures, bool withBias,
                                         const ParameterInit &init)
{
    // Llama's initializer_range; real checkpoints overwrite it.
    weight = register_parameter("weight", init.normal({outFeatures, inFeatures}, 0.02));
    if (withBias)
        bias = register_parameter("bias", init.filled({outFeatures}, 0.0));
}

torch::Tensor AdaptableLinearImpl::forward(const torch::Tensor &x)
{
    return m_adapter ? m_adapter->forward(x, *this) : baseForward(x);
}

torch::Tensor AdaptableLinearImpl::baseForward(const torch::Tensor &x) const
{
    return torch::nn::functional::linear(x, weight, bias);
}

} // namespace slim::engine
