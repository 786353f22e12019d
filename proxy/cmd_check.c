/* cmd_check.c — `sipfed check`: skeleton until its issue lands. */
#include <stdio.h>

#include "commands.h"

int cmd_check(const char *config_path, int argc, char **argv)
{
    (void)config_path; (void)argc; (void)argv;
    fputs("sipfed: 'check' is not built yet\n", stderr);
    return EXIT_USAGE;
}
