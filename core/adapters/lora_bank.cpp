#include "lora_bank.h"

#include <torch/torch.h>

#include <cmath>

namespace slim::engine {

LoraBankImpl::LoraBankImpl(int64_t numExperts, int64_t inFeatures, int64_t outFeatures,
                           int64_t rank, double scaling, double dropout)
    : m_scaling(scaling)
    , m_dropout(dropout)
{
    // kaiming_uniform_(a = sqrt(5)) on an [r, C_in] matrix: bound = 1 / sqrt(C_in).
    const double bound = 1.0 / std::sqrt(double(inFeatures));
    lora_A = register_parameter("lora_A",
                                torch::empty({numExperts, rank, inFeatures}).uniform_(-bound, bound));
    lora_B = register_parameter("lora_B", torch::zeros({numExperts, outFeatures, rank}));
}

torch::Tensor LoraBankImpl::dropped(const torch::Tensor &x)
{
    return m_dropout > 0 ? torch::dropout(x, m_dropout, is_training()) : x;
}

torch::Tensor LoraBankImpl::delta(const torch::Tensor &x, const torch::Tensor &weights,
                                  const FeatureMasks &masks)
{
    const auto n = numExperts(), r = rank(), t = x.size(0);
    auto a = lora_A.to(x.scalar_type());
    auto b = lora_B.to(x.scalar_type());
    // Masking x's features per expert is masking A_i's columns; masking the output is masking
    // B_i's rows. Both cost O(n r (C_in + C_out)), not O(T ...).
    if (masks.in.defined())
        a = a * masks.in.unsqueeze(1);
    if (masks.out.defined())
        b = b * masks.out.unsqueeze(-1);
    auto h = torch::matmul(dropped(x), a.reshape({n * r, inFeatures()}).t()); // [T, n*r]
    h = h.view({t, n, r}) * (weights.to(x.scalar_type()) * m_scaling).unsqueeze(-1);
    auto bCat = b.permute({1, 0, 2}).reshape({outFeatures(), n * r});          // [C_out, n*r]
    return torch::matmul(h.view({t, n * r}), bCat.t());
}

torch::Tensor LoraBankImpl::naiveDelta(const torch::Tensor &x, const torch::Tensor &weights,
                                       const torch::Tensor &denseMask, double factor)
{
    auto xd = dropped(x);
    auto out = torch::zeros({x.size(0), outFeatures()}, x.options());
    for (int64_t i = 0; i < numExperts(); ++i) {
        auto dense = torch::matmul(lora_B[i], lora_A[i]).to(x.scalar_type()); // [C_out, C_in]
        if (denseMask.defined())
            dense = dense * denseMask[i];
        dense = dense * (factor * m_scaling);
        out = out + weights.select(-1, i).unsqueeze(-1).to(x.scalar_type())
                        * torch::matmul(xd, dense.t());
    }
    return out;
}

torch::Tensor LoraBankImpl::expertDelta(int64_t expert, const torch::Tensor &x)
{
    auto a = lora_A[expert].to(x.scalar_type());
    auto b = lora_B[expert].to(x.scalar_type());
    return torch::matmul(torch::matmul(dropped(x), a.t()), b.t()) * m_scaling;
}

torch::Tensor LoraBankImpl::denseDelta(const std::vector<double> &weights, double factor) const
{
    TORCH_CHECK(int64_t(weights.size()) == numExperts(), "denseDelta: ", weights.size(),
                " weights for ", numExperts(), " experts");
    auto w = torch::tensor(weights, lora_A.options().dtype(torch::kDouble)).to(lora_A.scalar_type());
    // sum_i w_i B_i A_i = [B_1 .. B_n] diag(w) [A_1; ..; A_n]
    auto b = (lora_B * w.view({-1, 1, 1})).permute({1, 0, 2}).reshape({outFeatures(), -1});
    auto a = lora_A.reshape({-1, inFeatures()});
    return torch::matmul(b, a) * (m_scaling * factor);
}

void LoraBankImpl::foldInto(torch::Tensor &weight, const std::vector<double> &weights,
                            double factor) const
{
    torch::NoGradGuard noGrad;
    auto delta = denseDelta(weights, factor);
    weight.copy_(weight.to(delta.scalar_type()) + delta);
}

torch::Tensor LoraBankImpl::l1() const
{
    return lora_A.abs().mean({1, 2}).sum() + lora_B.abs().mean({1, 2}).sum();
}

} // namespace slim::engine
