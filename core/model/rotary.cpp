#include "rotary.h"

#include <torch/torch.h>

#include <cmath>

namespace slim::engine {

namespace {

torch::Tensor defaultInverseFrequencies(double base, int64_t dim, torch::Device device)
{
    auto exponents = torch::arange(0, dim, 2, torch::TensorOptions().dtype(torch::kLong))
                         .to(torch::kFloat)
                     / double(dim);
    return (1.0 / torch::pow(base, exponents)).to(device);
}

// Llama 3.1's scaling: long wavelengths are divided by `factor`, short ones kept, and the band
// between blended smoothly.
torch::Tensor llama3InverseFrequencies(torch::Tensor invFreq, const RopeScaling &r)
{
    const double context = double(r.original_max_position_embeddings);
    const double lowFreqWavelen = context / r.low_freq_factor;
    const double highFreqWavelen = context / r.high_freq_factor;
    auto wavelen = 2 * M_PI / invFreq;
    auto scaled = torch::where(wavelen > lowFreqWavelen, invFreq / r.factor, invFreq);
    auto smooth = (context / wavelen - r.low_freq_factor)
                  / (r.high_freq_factor - r.low_freq_factor);
    auto smoothed = (1 - smooth) * scaled / r.factor + smooth * scaled;
    auto medium = (wavelen < highFreqWavelen).logical_not()
                  & (wavelen > lowFreqWavelen).logical_not();
    return torch::where(medium, smoothed, scaled);
}

} // namespace

torch::Tensor ropeInverseFrequencies(const LlamaConfig &config, int64_t seqLen,
                                     torch::Device device)
{
    const auto dim = config.headDim();
    const auto &r = config.rope_scaling;
    if (r.rope_type == "linear")
        return defaultInverseFrequencies(config.rope_theta, dim, device) / r.factor;
    if (r.rope_type == "llama3")
        return llama3InverseFrequencies(defaultInverseFrequencies(config.rope_theta, dim, device),
                                        r);
    if (r.rope_type == "dynamic" && seqLen > config.max_position_embeddings) {
        const double maxPos = double(config.max_position_embeddings);
        const double base = config.rope_theta
                            * std::pow(r.factor * double(seqLen) / maxPos - (r.factor - 1),
                                       double(dim) / double(dim - 2));
        return defaultInverseFrequencies(base, dim, device);
    }
    return defaultInverseFrequencies(config.rope_theta, dim, device);
}

std::pair<torch::Tensor, torch::Tensor> rotaryTables(const torch::Tensor &positionIds,
                                                     const torch::Tensor &invFreq,
                                                     torch::ScalarType dtype)
{
    auto freqs = positionIds.to(torch::kFloat).unsqueeze(-1) * invFreq; // [B, S, hd/2]
    auto emb = torch::cat({freqs, freqs}, -1);                           // [B, S, hd]
    return {emb.cos().to(dtype), emb.sin().to(dtype)};
}

} // namespace slim::engine
