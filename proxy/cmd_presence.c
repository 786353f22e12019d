/* cmd_presence.c — `sipfed presence`: skeleton until its issue lands. */
#include <stdio.h>

#include "commands.h"

int cmd_presence(int argc, char **argv)
{
    (void)argc; (void)argv;
    fputs("sipfed: 'presence' is not built yet\n", stderr);
    return EXIT_USAGE;
}
