// slimctl: the headless command line of SLIM Workbench. This file only wires commands.
#include "commands.h"

#include "common/allocator_tuning.h"

int main(int argc, char **argv)
{
    slim::common::keepFreedMemoryInTheHeap();
    return slim::cli::runSlimctl(argc, argv);
}
