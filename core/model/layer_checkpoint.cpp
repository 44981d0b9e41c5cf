#include "layer_checkpoint.h"

#include "forward_scope.h"
#include "train/rng_state.h"

#include <torch/torch.h>

namespace slim::engine {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// Autograd functions take defined tensors only: an absent sliding-window bias travels as an
// empty tensor.
torch::Tensor defined(const torch::Tensor &t)
{
    return t.numel() ? t : torch::Tensor();
}

struct LayerCheckpoint : public torch::autograd::Function<LayerCheckpoint>
{
    static torch::Tensor forward(AutogradContext *ctx, torch::Tensor h, int64_t layer,
                                 torch::Tensor bias, torch::Tensor sliding, torch::Tensor cos,
                                 torch::Tensor sin, torch::Tensor mask)
    {
        const auto rng = captureRng();
        ctx->saved_data["layer"] = layer;
        ctx->saved_data["rng_cpu"] = rng.cpu;
        if (rng.cuda.defined())
            ctx->saved_data["rng_cuda"] = rng.cuda;
        ctx->save_for_backward({h, bias, sliding, cos, sin, mask});
        const ForwardContext context{bias, defined(sliding), cos, sin, mask};
        CheckpointScope recording;
        return reinterpret_cast<DecoderLayerImpl *>(layer)->forward(h, context, nullptr);
    }

    static variable_list backward(AutogradContext *ctx, variable_list grads)
    {
        const auto saved = ctx->get_saved_variables();
        auto h = saved[0].detach().requires_grad_(true);
        const ForwardContext context{saved[1], defined(saved[2]), saved[3], saved[4], saved[5]};
        auto *layer = reinterpret_cast<DecoderLayerImpl *>(ctx->saved_data["layer"].toInt());
        RngState original{ctx->saved_data["rng_cpu"].toTensor(), {}};
        if (ctx->saved_data.count("rng_cuda"))
            original.cuda = ctx->saved_data["rng_cuda"].toTensor();
        const auto now = captureRng();
        restoreRng(original);
        torch::Tensor out;
        {
            ReplayScope replay;
            ForwardScope scope(context.tokenMask);
            torch::AutoGradMode enabled(true);
            out = layer->forward(h, context, nullptr);
        }
        restoreRng(now);
        torch::autograd::backward({out}, {grads[0]});
        return {h.grad(), {}, {}, {}, {}, {}, {}};
    }
};

} // namespace

torch::Tensor checkpointedLayer(DecoderLayerImpl &layer, const torch::Tensor &h,
                                const ForwardContext &ctx)
{
    const auto sliding = ctx.slidingBias.defined() ? ctx.slidingBias
                                                   : torch::empty({0}, ctx.attentionBias.options());
    return LayerCheckpoint::apply(h, reinterpret_cast<int64_t>(&layer), ctx.attentionBias, sliding,
                                  ctx.cos, ctx.sin, ctx.tokenMask);
}

} // namespace slim::engine
