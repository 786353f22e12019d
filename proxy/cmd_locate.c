/* cmd_locate.c — `sipfed locate`: skeleton until its issue lands. */
#include <stdio.h>

#include "commands.h"

int cmd_locate(const char *config_path, int argc, char **argv)
{
    (void)config_path; (void)argc; (void)argv;
    fputs("sipfed: 'locate' is not built yet\n", stderr);
    return EXIT_USAGE;
}
