#include "forward_scope.h"

namespace slim::engine {

namespace {
thread_local const torch::Tensor *t_tokenMask = nullptr;
thread_local bool t_replaying = false;
thread_local bool t_checkpointing = false;
}

ForwardScope::ForwardScope(const torch::Tensor &tokenMask)
    : m_previous(t_tokenMask)
{
    t_tokenMask = &tokenMask;
}

ForwardScope::~ForwardScope()
{
    t_tokenMask = m_previous;
}

torch::Tensor ForwardScope::currentTokenMask(int64_t rows)
{
    if (!t_tokenMask || !t_tokenMask->defined() || t_tokenMask->numel() != rows)
        return {};
    return t_tokenMask->reshape({rows});
}

ReplayScope::ReplayScope()
    : m_previous(t_replaying)
{
    t_replaying = true;
}

ReplayScope::~ReplayScope()
{
    t_replaying = m_previous;
}

bool ReplayScope::active()
{
    return t_replaying;
}

CheckpointScope::CheckpointScope()
    : m_previous(t_checkpointing)
{
    t_checkpointing = true;
}

CheckpointScope::~CheckpointScope()
{
    t_checkpointing = m_previous;
}

bool CheckpointScope::active()
{
    return t_checkpointing;
}

} // namespace slim::engine
