#pragma once
// The global torch random state (CPU, and CUDA when present): DARE masks, dropout and cluster
// seeding draw on it, so checkpoints save it and evaluation runs under its own seed.

#include <torch/types.h>

#include <cstdint>

namespace slim::engine {

struct RngState
{
    torch::Tensor cpu;  // uint8 state of the default CPU generator
    torch::Tensor cuda; // uint8 state of the default CUDA generator, undefined without CUDA
};

RngState captureRng();
void restoreRng(const RngState &state);

// Runs a scope under `seed` and puts the previous random state back afterwards, so evaluating
// in the middle of training does not change what training draws next.
class ScopedSeed
{
public:
    explicit ScopedSeed(uint64_t seed);
    ~ScopedSeed();
    ScopedSeed(const ScopedSeed &) = delete;
    ScopedSeed &operator=(const ScopedSeed &) = delete;

private:
    RngState m_saved;
};

} // namespace slim::engine
