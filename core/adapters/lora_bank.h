#pragma once
// The LoRA experts of one projection, stacked: expert i adds s * B_i A_i x. All experts are
// computed with two GEMMs (total rank n * r, like one rank-n*r LoRA), weighted per token.

#include <torch/nn/module.h>
#include <torch/types.h>

#include <vector>

namespace slim::engine {

// Row/column masks of the fast dynamic merge: dropping whole columns of A (input features) and
// whole rows of B (output features) per expert.
struct FeatureMasks
{
    torch::Tensor in;  // [n, C_in]  multiplies x before A_i, undefined = keep all
    torch::Tensor out; // [n, C_out] multiplies B_i's output, undefined = keep all
};

class LoraBankImpl : public torch::nn::Module
{
public:
    // A_i: Kaiming-uniform (as PEFT), B_i: zero, so the bank starts as a zero delta.
    LoraBankImpl(int64_t numExperts, int64_t inFeatures, int64_t outFeatures, int64_t rank,
                 double scaling, double dropout);

    // x: [T, C_in], weights: [T, n] per-token expert weights (0 = unused)
    // -> [T, C_out] = sum_i weights_i * s * m_out_i * (B_i (A_i (m_in_i * x)))
    torch::Tensor delta(const torch::Tensor &x, const torch::Tensor &weights,
                        const FeatureMasks &masks = {});
    // Naive reference: materialises each expert's dense [C_out, C_in] delta, multiplied
    // element-wise by `denseMask` [n, C_out, C_in] (undefined = no mask) or by a scalar factor.
    torch::Tensor naiveDelta(const torch::Tensor &x, const torch::Tensor &weights,
                             const torch::Tensor &denseMask, double factor = 1.0);
    // One expert for all rows of x: [T, C_in] -> [T, C_out] = s * B_i A_i x.
    torch::Tensor expertDelta(int64_t expert, const torch::Tensor &x);

    // The dense weight delta at a fixed routing: s * factor * sum_i weights[i] B_i A_i,
    // [C_out, C_in] in float32 (a static merge of the experts).
    torch::Tensor denseDelta(const std::vector<double> &weights, double factor) const;
    // weight <- weight + denseDelta(weights, factor), computed in float32 and stored back in
    // the weight's dtype (as PEFT's merge adds the delta to the stored weight).
    void foldInto(torch::Tensor &weight, const std::vector<double> &weights, double factor) const;

    // sum over experts of mean|A_i| + mean|B_i| (the paper's L1 term for this projection)
    torch::Tensor l1() const;

    int64_t numExperts() const { return lora_A.size(0); }
    int64_t rank() const { return lora_A.size(1); }
    int64_t inFeatures() const { return lora_A.size(2); }
    int64_t outFeatures() const { return lora_B.size(1); }
    double scaling() const { return m_scaling; }

    torch::Tensor lora_A; // [n, r, C_in]
    torch::Tensor lora_B; // [n, C_out, r]

private:
    torch::Tensor dropped(const torch::Tensor &x);
    double m_scaling;
    double m_dropout;
};
TORCH_MODULE(LoraBank);

} // namespace slim::engine
