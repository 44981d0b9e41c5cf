#include "parameter_init.h"

#include <torch/torch.h>

namespace slim::engine {

torch::Tensor ParameterInit::normal(std::vector<int64_t> shape, double std) const
{
    auto t = torch::empty(shape, options);
    return random ? t.normal_(0.0, std) : t;
}

torch::Tensor ParameterInit::filled(std::vector<int64_t> shape, double value) const
{
    auto t = torch::empty(shape, options);
    return random ? t.fill_(value) : t;
}

} // namespace slim::engine
