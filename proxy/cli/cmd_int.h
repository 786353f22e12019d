/* cmd_int.h — private to proxy/cli/: the sub-commands of the `sipfed` CLI (SPEC §2), one file
 * each (cmd_*.c). Each returns the process exit code: 0 success, 1 a check or case failed,
 * 2 usage or input. */
#ifndef SIPFED_CMD_INT_H
#define SIPFED_CMD_INT_H

#include "version.h"

/* The node file when -c is not given: the installed one (make install, the .deb). The Makefile
 * sets it from SYSCONFDIR. */
#ifndef SIPFED_DEFAULT_CONFIG
#define SIPFED_DEFAULT_CONFIG "/etc/sipfed/sipfed.ini"
#endif

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2 };

/* `argv[0]` is the command name; getopt may be used on (argc, argv). */
int cmd_run(const char *config_path, int argc, char **argv);
int cmd_check(const char *config_path, int argc, char **argv);
int cmd_locate(const char *config_path, int argc, char **argv);
int cmd_presence(int argc, char **argv);
int cmd_status(const char *config_path, int argc, char **argv);
int cmd_reload(const char *config_path, int argc, char **argv);
int cmd_gateway(const char *config_path, int argc, char **argv);

#endif
