// slimctl: the headless command line of SLIM Workbench. This file only wires commands.
#include "commands.h"

int main(int argc, char **argv)
{
    return slim::cli::runSlimctl(argc, argv);
}
