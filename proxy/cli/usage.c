/* usage.c — the one usage text of the `sipfed` CLI (SPEC §2): every command and option. */
#include <string.h>

#include "cmd_int.h"
#include "usage.h"

struct usage_section {
    const char *command;
    const char *text;
};

static const char usage_global[] =
    "usage: sipfed [-c FILE] COMMAND [OPTION]... [ARG]\n"
    "       sipfed --version | --help\n"
    "\n"
    "  -c, --config FILE   node file (default: " SIPFED_DEFAULT_CONFIG ")\n"
    "  -V, --version       print the version\n"
    "  -h, --help          this help; COMMAND --help shows one command\n"
    "\n"
    "Commands:\n";

static const struct usage_section usage_sections[] = {
    { "run",
      "  sipfed [-c FILE] run\n"
      "      Load the node file and dial plan (refuse to start on any error) and run the proxy\n"
      "      in the foreground until SIGTERM/SIGINT; SIGHUP reloads.\n" },
    { "check",
      "  sipfed [-c FILE] check [--dns | --no-resolve] [--cases FILE]...\n"
      "      Load the node file and dial plan, print every error and warning as file:line,\n"
      "      check certificates and keys, report features this build does not have.\n"
      "      --cases FILE    run the routing cases of FILE (repeatable)\n"
      "      --dns           check our own published DNS records against [dns] servers\n"
      "                      (or the system resolver)\n"
      "      --no-resolve    do not resolve the host names of peers and static routes (no\n"
      "                      DNS needed: a CI job); says how many it left unchecked\n"
      "      Exit 0 \"configuration OK\", 1 on any error or failed case, 2 on usage.\n" },
    { "locate",
      "  sipfed [-c FILE] locate [--from ZONE] [--from-uri URI] [--method M]\n"
      "                          [--header 'Name: value']... [--authenticated] ALIAS\n"
      "      Show the search the proxy would make for a request to ALIAS (user@host, or a\n"
      "      sip: URI): source zone, traffic type, From and federation policy, every rule\n"
      "      with its verdict, the targets and their next hops. Sends nothing.\n"
      "      --from ZONE     source zone (default: the default zone)\n"
      "      --from-uri URI  the request's From (default: sip:check@sipfed.invalid)\n"
      "      --method M      request method (default: MESSAGE)\n"
      "      --header H      add a header, 'Name: value' (repeatable)\n"
      "      --authenticated the request is authenticated (SPEC 5.5)\n" },
    { "status",
      "  sipfed [-c FILE] status [--json]\n"
      "      Ask the running daemon, through [admin] listen of the node file, for a short\n"
      "      summary: configuration generation and last reload, request rates, zones and\n"
      "      peers with their TLS connections, DNS and presence (docs/operations.md).\n"
      "      --json          print the /status document instead\n" },
    { "reload",
      "  sipfed [-c FILE] reload\n"
      "      Load the configuration as the daemon does on SIGHUP; on any error print them as\n"
      "      file:line and exit 1 without signalling the daemon. Else send SIGHUP to the PID\n"
      "      in [proxy] pid_file and, with [admin] listen, wait until the daemon reports the\n"
      "      new generation (exit 0) or its refusal (exit 1).\n" },
    { "presence",
      "  sipfed presence [--in auto|pidf|msrtc|categories|xpidf|xmpp]\n"
      "                  [--out xmpp|pidf|ms|state] [--busy-as-dnd] [--entity URI] [FILE]\n"
      "      Map a presence document, a multipart/related batch or a whole SIP message\n"
      "      (NOTIFY, PUBLISH, ...) read from FILE (default: stdin) and print, per document:\n"
      "      --out xmpp      an XMPP <presence/> stanza (default)\n"
      "      --out state     the canonical state (a batch: presentity and state)\n"
      "      --out pidf      a PIDF body toward Microsoft\n"
      "      --out ms        the Microsoft availability number\n"
      "      --in FORMAT     the input format (default: auto, from the content)\n"
      "      --busy-as-dnd   map busy to <show>dnd</show> instead of away + \"Busy\"\n"
      "      --entity URI    the presentity to write, overriding the document's\n"
      "      An unknown state prints nothing. Exit 1 on malformed or empty input.\n" },
    { "gateway",
      "  sipfed [-c FILE] gateway\n"
      "      Run the XMPP gateway of the node file's [gateway] section in the foreground until\n"
      "      SIGTERM/SIGINT: an XEP-0114 component of the XMPP server per Microsoft partner\n"
      "      domain, and a SIP user agent that reaches Microsoft through the proxy\n"
      "      (docs/xmpp.md).\n" },
};

#define USAGE_N (sizeof usage_sections / sizeof usage_sections[0])

int usage_print(FILE *out, const char *command)
{
    if (command == NULL)
        fputs(usage_global, out);
    for (size_t i = 0; i < USAGE_N; i++) {
        if (command != NULL && strcmp(command, usage_sections[i].command) != 0)
            continue;
        if (command != NULL)
            fputs("usage:\n", out);
        fputs(usage_sections[i].text, out);
    }
    return out == stdout ? EXIT_OK : EXIT_USAGE;
}
