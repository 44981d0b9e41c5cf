#include "rng_state.h"

#include <ATen/Context.h>
#include <torch/torch.h>

#include <mutex>

namespace slim::engine {

namespace {

bool haveCuda()
{
    return torch::cuda::is_available();
}

at::Generator cudaGenerator()
{
    return at::globalContext().defaultGenerator(at::Device(at::kCUDA));
}

} // namespace

RngState captureRng()
{
    RngState s;
    auto cpu = at::detail::getDefaultCPUGenerator();
    {
        std::lock_guard<std::mutex> lock(cpu.mutex());
        s.cpu = cpu.get_state();
    }
    if (haveCuda()) {
        auto gen = cudaGenerator();
        std::lock_guard<std::mutex> lock(gen.mutex());
        s.cuda = gen.get_state();
    }
    return s;
}

void restoreRng(const RngState &state)
{
    auto cpu = at::detail::getDefaultCPUGenerator();
    {
        std::lock_guard<std::mutex> lock(cpu.mutex());
        cpu.set_state(state.cpu);
    }
    if (state.cuda.defined() && haveCuda()) {
        auto gen = cudaGenerator();
        std::lock_guard<std::mutex> lock(gen.mutex());
        gen.set_state(state.cuda);
    }
}

ScopedSeed::ScopedSeed(uint64_t seed)
    : m_saved(captureRng())
{
    torch::manual_seed(seed);
}

ScopedSeed::~ScopedSeed()
{
    restoreRng(m_saved);
}

} // namespace slim::engine
