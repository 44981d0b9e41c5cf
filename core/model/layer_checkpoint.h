#pragma once
// Gradient (activation) checkpointing of one decoder layer: the forward keeps only the layer's
// input; backward replays the layer with the random state of the original forward (SLIM's
// sampled masks, dropout) under a ReplayScope and back-propagates through the replay. The
// gradients equal those of the plain layer (tst_layer_checkpoint); the memory of the layer's
// activations is traded for a second forward.

#include "llama_layers.h"

namespace slim::engine {

// h: [B, S, d] that requires grad -> the layer's output, checkpointed.
torch::Tensor checkpointedLayer(DecoderLayerImpl &layer, const torch::Tensor &h,
                                const ForwardContext &ctx);

} // namespace slim::engine
