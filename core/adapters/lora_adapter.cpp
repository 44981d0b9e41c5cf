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
    return base.weight + (torch::matmul(lora_B, lora_A) * m_scaling).to(base.weight.scalar_type());
}

torch::Tensor LoraAdapterImpl::forward(const torch::Tensor &x, const AdaptableLinearImpl &base)
{
    auto xd = m_dropout > 0 ? torch::dropout(x, m_dropout, is_training()) : x;
    auto lora = torch::matmul(torch::matmul(xd, lora_A.to(x.scalar_type()).t()),
                              lora_B.to(x.scalar_type()).t())
                * m_scaling;
    if (!magnitude.defined())
        return base.baseForward(x) + lora;
    auto plain = torch::matmul(x, base.weight.t());
    auto norm = mergedWeight(base).norm(2, {1}).detach();
    auto scale = (magnitude / norm).to(x.scalar_type());
    auto y = scale * (plain + lora);
    return base.bias.defined() ? y + base.bias : y;
}

void LoraAdapterImpl::foldInto(AdaptableLinearImpl &base) const
{
    torch::NoGradGuard noGrad;
    auto merged = mergedWeight(base);
    if (magnitude.defined())
        merged = merged * (magnitude / merged.norm(2, {1})).unsqueeze(1).to(merged.scalar_type());
    base.weight.copy_(merged);
}

} // namespace slim::engine
