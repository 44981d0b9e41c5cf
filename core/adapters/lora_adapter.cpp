#include "lora_adapter.h"

#include <torch/torch.h>

#include <cmath>

namespace slim::engine {

LoraAdapterImpl::LoraAdapterImpl(const AdaptableLinearImpl &base, int64_t rank, double scaling,
                                 double dropout, bool dora)
    : m_scaling(scaling)
    , m_dropout(dropout)
{
    const auto in = base.inFeatures(), out = base.outFeatures();
    const auto options = torch::TensorOptions().dtype(torch::kFloat).device(base.weight.device());
    const double bound = 1.0 / std::sqrt(double(in)); // kaiming_uniform_(a = sqrt(5))
    lora_A = register_parameter("lora_A", torch::empty({rank, in}, options).uniform_(-bound, bound));
    lora_B = register_parameter("lora_B", torch::zeros({out, rank}, options));
    if (dora) {
        torch::NoGradGuard noGrad;
        magnitude = register_parameter("magnitude",
                                       base.weight.detach().to(torch::kFloat).norm(2, {1}));
    }
}

torch::Tensor LoraAdapterImpl::mergedWeight(const AdaptableLinearImpl &base) const
{
    // In float32, as PEFT computes it for any base dtype; rounded once, by the caller.
    return base.weight.to(lora_A.scalar_type()) + torch::matmul(lora_B, lora_A) * m_scaling;
}

torch::Tensor LoraAdapterImpl::forward(const torch::Tensor &x, const AdaptableLinearImpl &base)
{
    // As PEFT: the adapter computes in its own dtype (float32) whatever the base's, and the sum
    // is cast back to the base's dtype.
    auto xd = m_dropout > 0 ? torch::dropout(x, m_dropout, is_training()) : x;
    auto lora = torch::matmul(torch::matmul(xd.to(lora_A.scalar_type()), lora_A.t()), lora_B.t())
                * m_scaling;
    if (!magnitude.defined())
        return (base.baseForward(x) + lora).to(x.scalar_type());
    auto plain = torch::matmul(x, base.weight.t()).to(lora.scalar_type());
    auto norm = mergedWeight(base).norm(2, {1}).detach();
    auto y = (magnitude / norm) * (plain + lora);
    return (base.bias.defined() ? y + base.bias : y).to(x.scalar_type());
}

void LoraAdapterImpl::foldInto(AdaptableLinearImpl &base) const
{
    torch::NoGradGuard noGrad;
    auto merged = mergedWeight(base);
    if (magnitude.defined())
        merged = merged * (magnitude / merged.norm(2, {1})).unsqueeze(1);
    base.weight.copy_(merged);
}

} // namespace slim::engine
