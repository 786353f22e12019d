/* main.c — `sipfed [-c FILE] COMMAND ...`: global options, then dispatch to a command. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd_int.h"
#include "log.h"
#include "suggest.h"
#include "usage.h"

static const char *const main_commands[] = { "run", "check", "locate", "status", "reload",
                                             "presence", "gateway", NULL };

/* The node file must be readable before a command that needs it starts: one message and one
 * exit code (2, an input problem) for run, check and locate alike. */
static int main_config_readable(const char *path)
{
    if (access(path, R_OK) == 0)
        return EXIT_OK;
    fprintf(stderr, "sipfed: cannot read node file %s: %s%s\n", path, strerror(errno),
            errno == ENOENT ? " (give one with -c FILE)" : "");
    return EXIT_USAGE;
}

int main(int argc, char **argv)
{
    const char *config_path = SIPFED_DEFAULT_CONFIG;
    static const struct option opts[] = {
        { "config", required_argument, NULL, 'c' },
        { "version", no_argument, NULL, 'V' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c, rc;

    /* Line-buffered even into a pipe, so stdout and stderr keep their order (docs test). */
    setvbuf(stdout, NULL, _IOLBF, 0);
    /* Under systemd stderr is the journal: priorities instead of timestamps. */
    log_set_journal(log_fd_is_journal(getenv("JOURNAL_STREAM"), STDERR_FILENO));

    /* '+': stop at the first non-option, the command; its options are its own. */
    while ((c = getopt_long(argc, argv, "+c:Vh", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            config_path = optarg;
            break;
        case 'V':
            printf("sipfed %s\n", SIPFED_VERSION);
            return EXIT_OK;
        case 'h':
            return usage_print(stdout, NULL);
        default:
            return usage_print(stderr, NULL);
        }
    }

    argc -= optind;
    argv += optind;
    optind = 0;   /* commands parse their own options with getopt from argv[0] */

    /* No command: usage, never a daemon on the lab ports by accident (`run` is explicit). */
    if (argc == 0)
        return usage_print(stderr, NULL);

    /* one strcmp per command, written out: scripts/check-man.sh reads them from here */
    if (strcmp(argv[0], "presence") == 0)
        return cmd_presence(argc, argv);
    int (*cmd)(const char *, int, char **) = NULL;
    if (strcmp(argv[0], "run") == 0)
        cmd = cmd_run;
    else if (strcmp(argv[0], "check") == 0)
        cmd = cmd_check;
    else if (strcmp(argv[0], "locate") == 0)
        cmd = cmd_locate;
    else if (strcmp(argv[0], "status") == 0)
        cmd = cmd_status;
    else if (strcmp(argv[0], "reload") == 0)
        cmd = cmd_reload;
    else if (strcmp(argv[0], "gateway") == 0)
        cmd = cmd_gateway;
    if (cmd == NULL) {
        const char *near = suggest_closest(argv[0], main_commands);
        fprintf(stderr, "sipfed: unknown command '%s'", argv[0]);
        if (near != NULL)
            fprintf(stderr, " (did you mean '%s'?)", near);
        fputs("; see 'sipfed --help'\n", stderr);
        return EXIT_USAGE;
    }
    /* a command's own --help needs no node file */
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return usage_print(stdout, argv[0]);
    if ((rc = main_config_readable(config_path)) != EXIT_OK)
        return rc;
    return cmd(config_path, argc, argv);
}
