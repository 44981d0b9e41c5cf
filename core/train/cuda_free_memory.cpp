#include "cuda_free_memory.h"

#include <dlfcn.h>

#include <cstddef>

namespace slim::engine {

namespace {

using GetDevice = int (*)(int *);
using SetDevice = int (*)(int);
using MemGetInfo = int (*)(std::size_t *, std::size_t *);

void *openCudaRuntime()
{
    // The runtime a CUDA LibTorch already loaded first (the same version it uses), then any.
    for (const char *name : {"libcudart.so.13", "libcudart.so.12", "libcudart.so.11.0",
                             "libcudart.so"}) {
        if (void *handle = dlopen(name, RTLD_NOW | RTLD_NOLOAD))
            return handle;
    }
    for (const char *name : {"libcudart.so", "libcudart.so.13", "libcudart.so.12",
                             "libcudart.so.11.0"}) {
        if (void *handle = dlopen(name, RTLD_NOW | RTLD_LOCAL))
            return handle;
    }
    return nullptr;
}

} // namespace

std::int64_t cudaFreeMemory(int index)
{
    static void *const runtime = openCudaRuntime(); // kept open for the process
    if (!runtime || index < 0)
        return -1;
    const auto getDevice = reinterpret_cast<GetDevice>(dlsym(runtime, "cudaGetDevice"));
    const auto setDevice = reinterpret_cast<SetDevice>(dlsym(runtime, "cudaSetDevice"));
    const auto memGetInfo = reinterpret_cast<MemGetInfo>(dlsym(runtime, "cudaMemGetInfo"));
    if (!getDevice || !setDevice || !memGetInfo)
        return -1;
    int previous = 0;
    if (getDevice(&previous) != 0 || setDevice(index) != 0)
        return -1;
    std::size_t freeBytes = 0, totalBytes = 0;
    const int status = memGetInfo(&freeBytes, &totalBytes);
    setDevice(previous); // the caller's current device is left as it was
    return status == 0 ? std::int64_t(freeBytes) : -1;
}

} // namespace slim::engine
