/* main.c — `sipfed [-c FILE] [COMMAND] ...`: global options, then dispatch to a command. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"

static void usage(FILE *out)
{
    fputs("usage: sipfed [-c FILE] [run]\n"
          "       sipfed [-c FILE] check [--cases FILE]...\n"
          "       sipfed [-c FILE] locate [--from ZONE] [--method M] [--header 'Name: value']...\n"
          "                               [--authenticated] ALIAS\n"
          "       sipfed [-c FILE] status [--json]\n"
          "       sipfed [-c FILE] reload\n"
          "       sipfed presence [--in auto|pidf|msrtc|categories|xpidf|xmpp]\n"
          "                       [--out xmpp|pidf|ms|state] [FILE]\n"
          "       sipfed --version | --help\n"
          "\n"
          "  -c FILE   node file (default: sipfed.ini)\n", out);
}

int main(int argc, char **argv)
{
    const char *config_path = "sipfed.ini";
    static const struct option opts[] = {
        { "config", required_argument, NULL, 'c' },
        { "version", no_argument, NULL, 'V' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c;

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
    if (strcmp(argv[0], "status") == 0)
        return cmd_status(config_path, argc, argv);
    if (strcmp(argv[0], "reload") == 0)
        return cmd_reload(config_path, argc, argv);
    if (strcmp(argv[0], "presence") == 0)
        return cmd_presence(argc, argv);
    fprintf(stderr, "sipfed: unknown command '%s'\n", argv[0]);
    usage(stderr);
    return EXIT_USAGE;
}
