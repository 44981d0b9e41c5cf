#include "forward_scope.h"

namespace slim::engine {

namespace {
thread_local const torch::Tensor *t_tokenMask = nullptr;
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

} // namespace slim::engine
