/* usage.h — the CLI's usage text, in one place: `sipfed --help` prints all of it, a command's
 * `--help` (or a usage error) prints its own section. The man page says the same (docs test). */
#ifndef SIPFED_USAGE_H
#define SIPFED_USAGE_H

#include <stdio.h>

/* Print the synopsis and options of `command` ("run", "check", "locate", "presence"), or of
 * every command and the global options when `command` is NULL. Returns EXIT_OK when `out` is
 * stdout (asked for with --help), else EXIT_USAGE (a usage error). */
int usage_print(FILE *out, const char *command);

#endif
