#include "train_options.h"

#include <algorithm>
#include <cmath>

namespace slim::engine {

double learningRateAt(const TrainOptions &o, int64_t step)
{
    if (o.warmup_steps > 0 && step < o.warmup_steps)
        return o.lr * double(step + 1) / double(o.warmup_steps);
    if (o.lr_schedule == "constant")
        return o.lr;
    const double span = double(std::max<int64_t>(1, o.steps - o.warmup_steps));
    const double progress = std::clamp(double(step - o.warmup_steps) / span, 0.0, 1.0);
    const double floor = o.lr * o.min_lr_ratio;
    if (o.lr_schedule == "linear")
        return floor + (o.lr - floor) * (1.0 - progress);
    return floor + (o.lr - floor) * 0.5 * (1.0 + std::cos(M_PI * progress)); // cosine
}

} // namespace slim::engine
