/* cmd_presence.c — `sipfed presence`: map one presence document (or a multipart batch) read
 * from a file or stdin and print the result (SPEC §2, PRESENCE.md). Same functions as the proxy. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd_int.h"
#include "presence.h"

enum out_kind { OUT_XMPP, OUT_PIDF, OUT_MS, OUT_STATE };

struct run {
    enum out_kind out;
    struct presence_xmpp_opts xmpp;
    const char *entity;          /* --entity: overrides the document's */
    int rc;
};

static void usage(FILE *f)
{
    fputs("usage: sipfed presence [--in auto|pidf|msrtc|categories|xpidf|xmpp]\n"
          "                       [--out xmpp|pidf|ms|state] [--busy-as-dnd]\n"
          "                       [--entity URI] [FILE]\n"
          "  Reads FILE (default: stdin), a presence document or a multipart/related batch,\n"
          "  and prints, per document: --out xmpp (default) an XMPP <presence/> stanza,\n"
          "  state the canonical state, pidf a PIDF body toward Microsoft, ms the Microsoft\n"
          "  availability number. An unknown state prints nothing. Exit 1 on malformed input.\n",
          f);
}

static void print_one(void *arg, const struct presence_info *info_in, int err)
{
    struct run *r = arg;
    struct presence_info info = *info_in;
    char buf[PRESENCE_OUT_MAX];

    if (err) {
        fprintf(stderr, "sipfed presence: %s\n", info.reason[0] ? info.reason : strerror(err));
        r->rc = EXIT_FAILED;
        return;
    }
    if (info.reason[0])
        fprintf(stderr, "sipfed presence: %s: %s\n",
                info.state == PRESENCE_UNKNOWN ? "unknown" : "note", info.reason);
    if (r->entity)
        snprintf(info.entity, sizeof info.entity, "%s", r->entity);
    if (info.state == PRESENCE_UNKNOWN)
        return;
    switch (r->out) {
    case OUT_STATE:
        printf("%s\n", presence_state_name(info.state));
        break;
    case OUT_MS:
        printf("%u\n", presence_ms_number(info.state));
        break;
    case OUT_XMPP:
        if (presence_to_xmpp(&info, &r->xmpp, buf, sizeof buf) > 0)
            printf("%s\n", buf);
        break;
    case OUT_PIDF:
        if (presence_to_pidf(&info, buf, sizeof buf) > 0)
            fputs(buf, stdout);
        break;
    }
}

/* Read all of `f`, up to one byte more than the body limit (so an oversized body is seen). */
static int read_all(FILE *f, char *buf, size_t size, size_t *len)
{
    size_t n = 0, got;

    while (n < size && (got = fread(buf + n, 1, size - n, f)) > 0)
        n += got;
    if (ferror(f))
        return errno ? errno : EIO;
    *len = n;
    return 0;
}

int cmd_presence(int argc, char **argv)
{
    static const struct option opts[] = {
        { "in", required_argument, NULL, 'i' },
        { "out", required_argument, NULL, 'o' },
        { "busy-as-dnd", no_argument, NULL, 'b' },
        { "entity", required_argument, NULL, 'e' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    static const char *const out_names[] = { "xmpp", "pidf", "ms", "state" };
    static char body[PRESENCE_BODY_MAX + 2];
    struct run r = { .out = OUT_XMPP };
    enum presence_doc_format in = PRESENCE_FMT_AUTO;
    const char *path = NULL;
    size_t len = 0;
    FILE *f;
    int c, err;

    while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
        switch (c) {
        case 'i':
            if (presence_format_parse(optarg, &in) != 0 || in == PRESENCE_FMT_MULTIPART) {
                fprintf(stderr, "sipfed presence: unknown input format '%s'\n", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'o': {
            size_t i;
            for (i = 0; i < sizeof out_names / sizeof out_names[0]; i++) {
                if (strcmp(optarg, out_names[i]) == 0)
                    break;
            }
            if (i == sizeof out_names / sizeof out_names[0]) {
                fprintf(stderr, "sipfed presence: unknown output '%s'\n", optarg);
                return EXIT_USAGE;
            }
            r.out = (enum out_kind)i;
            break;
        }
        case 'b':
            r.xmpp.busy_as_dnd = true;
            break;
        case 'e':
            r.entity = optarg;
            break;
        case 'h':
            usage(stdout);
            return EXIT_OK;
        default:
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (argc - optind > 1) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (argc - optind == 1 && strcmp(argv[optind], "-") != 0)
        path = argv[optind];

    f = path ? fopen(path, "rb") : stdin;
    if (!f) {
        fprintf(stderr, "sipfed presence: %s: %s\n", path, strerror(errno));
        return EXIT_USAGE;
    }
    err = read_all(f, body, sizeof body - 1, &len);
    if (path)
        fclose(f);
    if (err) {
        fprintf(stderr, "sipfed presence: %s: %s\n", path ? path : "stdin", strerror(err));
        return EXIT_USAGE;
    }
    body[len] = '\0';
    if (len > PRESENCE_BODY_MAX) {
        fprintf(stderr, "sipfed presence: %s is over the %u-byte limit\n", path ? path : "stdin",
                PRESENCE_BODY_MAX);
        return EXIT_FAILED;
    }

    if (in == PRESENCE_FMT_AUTO) {
        presence_body_parse(NULL, body, len, print_one, &r);
    } else {
        struct presence_info info;
        err = presence_doc_parse(in, body, len, &info);
        print_one(&r, &info, err);
    }
    return r.rc;
}
