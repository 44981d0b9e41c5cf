#include "allocator_tuning.h"

#include <malloc.h>

namespace slim::common {

void keepFreedMemoryInTheHeap()
{
    mallopt(M_MMAP_THRESHOLD, 256 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 512 * 1024 * 1024);
}

} // namespace slim::common
