#pragma once
// LoRA (Hu et al.) and DoRA (Liu et al.) on one frozen projection.
// LoRA:  y = W x + b + s * B A dropout(x), A Kaiming-uniform [r, in], B zero [out, r].
// DoRA:  y = m / ||W + s B A||_row * (W x + s B A x) + b, with the norm detached (as in the
//        DoRA paper and PEFT) and m initialised to ||W||_row, so it starts at the base output.

#include "model/adaptable_linear.h"

#include <torch/nn/module.h>
#include <torch/types.h>

namespace slim::engine {

class LoraAdapterImpl : public torch::nn::Module, public ProjectionAdapter
{
public:
    LoraAdapterImpl(const AdaptableLinearImpl &base, int64_t rank, double scaling, double dropout,
                    bool dora);

    torch::Tensor forward(const torch::Tensor &x, const AdaptableLinearImpl &base) override;
    // W <- W + s B A (LoRA) or m / ||W + s B A|| (W + s B A) (DoRA). The caller detaches.
    void foldInto(AdaptableLinearImpl &base) const;
    torch::Tensor l1() const { return lora_A.abs().mean() + lora_B.abs().mean(); }
    double scaling() const { return m_scaling; }
    int64_t rank() const { return lora_A.size(0); }

    torch::Tensor lora_A;    // [r, in]
    torch::Tensor lora_B;    // [out, r]
    torch::Tensor magnitude; // [out], DoRA only

private:
    torch::Tensor mergedWeight(const AdaptableLinearImpl &base) const; // W + s B A, float32
    double m_scaling;
    double m_dropout;
};
TORCH_MODULE(LoraAdapter);

} // namespace slim::engine
