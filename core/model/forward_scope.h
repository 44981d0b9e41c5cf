#pragma once
// The real-token mask of the forward pass running on this thread, for adapters that wrap a
// single projection and so do not receive it (per-projection routers use it to keep pad tokens
// out of their statistics). Set by CausalLm for the duration of a forward pass.

#include <torch/types.h>

namespace slim::engine {

class ForwardScope
{
public:
    explicit ForwardScope(const torch::Tensor &tokenMask); // [B, S] bool
    ~ForwardScope();
    ForwardScope(const ForwardScope &) = delete;
    ForwardScope &operator=(const ForwardScope &) = delete;

    // The mask flattened to [T] when it has `rows` entries, else undefined.
    static torch::Tensor currentTokenMask(int64_t rows);

private:
    const torch::Tensor *m_previous;
};

} // namespace slim::engine
