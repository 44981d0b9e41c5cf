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

// Marks the replay of a checkpointed decoder layer during backward (gradient checkpointing):
// adapters then reuse what the original forward decided (SLIM's d+ and cluster assignment) and
// record no statistics, so a replay changes nothing but gradients.
class ReplayScope
{
public:
    ReplayScope();
    ~ReplayScope();
    ReplayScope(const ReplayScope &) = delete;
    ReplayScope &operator=(const ReplayScope &) = delete;
    static bool active();

private:
    bool m_previous;
};

// Marks the original (no-grad) forward of a checkpointed layer: adapters keep what its replay
// must reuse (SLIM: the random state after its clusters drew, so the replay's masks match).
class CheckpointScope
{
public:
    CheckpointScope();
    ~CheckpointScope();
    CheckpointScope(const CheckpointScope &) = delete;
    CheckpointScope &operator=(const CheckpointScope &) = delete;
    static bool active();

private:
    bool m_previous;
};

} // namespace slim::engine
