#pragma once
// Free memory on a CUDA device, asked of the CUDA runtime that is in the process (a CUDA
// LibTorch loads it) or on the loader's path, opened at run time: the engine builds against a
// CPU LibTorch and needs no CUDA headers or libraries. std-only.

#include <cstdint>

namespace slim::engine {

// Bytes free on CUDA device `index` now (cudaMemGetInfo), or -1 when no CUDA runtime can be
// loaded or it reports an error (no driver, no such device).
std::int64_t cudaFreeMemory(int index);

} // namespace slim::engine
