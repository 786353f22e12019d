/* main.c — `sipfed [-c FILE] [COMMAND] ...`: global options, then dispatch to a command. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "log.h"

/* The node file when -c is not given: the installed one (make install, the .deb). The Makefile
 * sets it from SYSCONFDIR. */
#ifndef SIPFED_DEFAULT_CONFIG
#define SIPFED_DEFAULT_CONFIG "/etc/sipfed/sipfed.ini"
#endif

static void usage(FILE *out)
{
    fputs("usage: sipfed [-c FILE] [run]\n"
          "       sipfed [-c FILE] check [--cases FILE]...\n"
          "       sipfed [-c FILE] locate [--from ZONE] [--method M] [--header 'Name: value']...\n"
          "                               [--authenticated] ALIAS\n"
          "       sipfed presence [--in auto|pidf|msrtc|categories|xpidf|xmpp]\n"
          "                       [--out xmpp|pidf|ms|state] [FILE]\n"
          "       sipfed --version | --help\n"
          "\n"
          "  -c FILE   node file (default: " SIPFED_DEFAULT_CONFIG ")\n", out);
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
    int c;

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
            usage(stdout);
            return EXIT_OK;
        default:
            usage(stderr);
            return EXIT_USAGE;
        }
    }

    argc -= optind;
    argv += optind;
    optind = 0;   /* commands parse their own options with getopt from argv[0] */

    static char run_name[] = "run";
    static char *default_argv[] = { run_name, NULL };
    if (argc == 0) {
        argc = 1;
        argv = default_argv;
    }

    if (strcmp(argv[0], "run") == 0)
        return cmd_run(config_path, argc, argv);
    if (strcmp(argv[0], "check") == 0)
        return cmd_check(config_path, argc, argv);
    if (strcmp(argv[0], "locate") == 0)
        return cmd_locate(config_path, argc, argv);
    if (strcmp(argv[0], "presence") == 0)
        return cmd_presence(argc, argv);
    fprintf(stderr, "sipfed: unknown command '%s'\n", argv[0]);
    usage(stderr);
    return EXIT_USAGE;
}
