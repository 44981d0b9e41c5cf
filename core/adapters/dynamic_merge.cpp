#include "dynamic_merge.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>

namespace slim::engine {

MaskMode maskModeFromName(const std::string &name)
{
    if (name == "sample")
        return MaskMode::Sample;
    if (name == "expected")
        return MaskMode::Expected;
    if (name == "none")
        return MaskMode::None;
    throw std::invalid_argument("mask mode '" + name + "' is not one of sample, expected, none");
}

FeatureMasks fastMasks(int64_t numExperts, int64_t inFeatures, int64_t outFeatures,
                       const DropSettings &drop, MaskMode mode,
                       const torch::TensorOptions &options)
{
    if (mode == MaskMode::None || drop.p <= 0)
        return {};
    const double keep = std::sqrt(1.0 - drop.p); // per side, so keep_in * keep_out = 1 - p
    const double scale = drop.rescale ? 1.0 / keep : 1.0;
    FeatureMasks masks;
    if (mode == MaskMode::Expected) {
        masks.in = torch::full({numExperts, inFeatures}, keep * scale, options);
        masks.out = torch::full({numExperts, outFeatures}, keep * scale, options);
        return masks;
    }
    masks.in = torch::bernoulli(torch::full({numExperts, inFeatures}, keep, options)) * scale;
    masks.out = torch::bernoulli(torch::full({numExperts, outFeatures}, keep, options)) * scale;
    return masks;
}

DenseMask naiveMask(int64_t numExperts, int64_t inFeatures, int64_t outFeatures,
                    const DropSettings &drop, MaskMode mode, const torch::TensorOptions &options)
{
    DenseMask dense;
    if (mode == MaskMode::None || drop.p <= 0)
        return dense;
    const double keep = 1.0 - drop.p;
    dense.factor = drop.rescale ? 1.0 / keep : 1.0;
    if (mode == MaskMode::Expected) {
        dense.factor *= keep;
        return dense;
    }
    dense.mask = torch::bernoulli(
        torch::full({numExperts, outFeatures, inFeatures}, keep, options));
    return dense;
}

} // namespace slim::engine
