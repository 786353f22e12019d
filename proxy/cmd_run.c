/* cmd_run.c — `sipfed run`: skeleton until its issue lands. */
#include <stdio.h>

#include "commands.h"

int cmd_run(const char *config_path, int argc, char **argv)
{
    (void)config_path; (void)argc; (void)argv;
    fputs("sipfed: 'run' is not built yet\n", stderr);
    return EXIT_USAGE;
}
