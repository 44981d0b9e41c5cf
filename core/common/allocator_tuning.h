#pragma once
// One rule for every executable that runs tensors (slimctl, the window, the benchmarks): the
// tensors of a training step or an evaluation batch are freed and reallocated every step;
// keeping glibc from returning them to the kernel each time saves the page faults (about 10 %
// of a training step; several times an evaluation batch's time on a small model). Call first
// thing in main().

namespace slim::common {

void keepFreedMemoryInTheHeap();

} // namespace slim::common
