// slimctl: the headless command line of SLIM Workbench. This file only wires commands.
#include "commands.h"

#include <malloc.h>

int main(int argc, char **argv)
{
    // Tensors of a training step are freed and reallocated every step; keeping glibc from
    // returning them to the kernel each time saves the page faults (about 10 % of a step).
    mallopt(M_MMAP_THRESHOLD, 256 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 512 * 1024 * 1024);
    return slim::cli::runSlimctl(argc, argv);
}
