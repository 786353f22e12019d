/* cmd_presence.c — `sipfed presence`: map one presence document (or a multipart batch) read
 * from a file or stdin and print the result (SPEC §2, PRESENCE.md). Same functions as the proxy. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdbool.h>
#include <string.h>

#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_parser.h>

#include "cmd_int.h"
#include "presence.h"
#include "usage.h"

enum out_kind { OUT_XMPP, OUT_PIDF, OUT_MS, OUT_STATE };

struct run {
    enum out_kind out;
    struct presence_xmpp_opts xmpp;
    const char *entity;          /* --entity: overrides the document's */
    const char *fallback_entity; /* the presentity a whole SIP message names (From or To) */
    bool batch;                  /* more than one document: name the presentity per line */
    size_t n_docs;
    int rc;
};

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
    else if (info.entity[0] == '\0' && r->fallback_entity)
        snprintf(info.entity, sizeof info.entity, "%s", r->fallback_entity);
    if (info.state == PRESENCE_UNKNOWN)
        return;
    switch (r->out) {
    case OUT_STATE:
        if (r->batch)
            printf("%s %s\n", info.entity[0] ? info.entity : "(no presentity)",
                   presence_state_name(info.state));
        else
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

static void count_one(void *arg, const struct presence_info *info, int err)
{
    (void)info;
    (void)err;
    ((struct run *)arg)->n_docs++;
}

/* Is `body` a whole SIP message (a request line `METHOD URI SIP/2.0` or a status line)? */
static bool is_sip_message(const char *body)
{
    const char *eol = strpbrk(body, "\r\n");
    size_t n = eol ? (size_t)(eol - body) : strlen(body);
    return (n > 8 && memcmp(body, "SIP/2.0 ", 8) == 0) ||
           (n > 8 && memcmp(body + n - 8, " SIP/2.0", 8) == 0 && body[0] != '<');
}

/* Map `body` (Content-Type `ct`, NULL: recognise it) as format `in`, printing each document;
 * a batch of several documents names the presentity of each. Returns the exit code. */
static int presence_map(struct run *r, enum presence_doc_format in, const char *ct,
                        const char *body, size_t len)
{
    r->rc = EXIT_OK;
    if (in == PRESENCE_FMT_AUTO) {
        r->n_docs = 0;
        presence_body_parse(ct, body, len, count_one, r);
        r->batch = r->n_docs > 1;
        presence_body_parse(ct, body, len, print_one, r);
    } else {
        struct presence_info info;
        int err = presence_doc_parse(in, body, len, &info);
        print_one(r, &info, err);
    }
    return r->rc;
}

/* A whole SIP message: parse it with sofia, map its body by its Content-Type (or as `in`). The
 * presentity of a document that names none is the message's: the To of a PUBLISH, else the
 * From. */
static int presence_from_sip(struct run *r, enum presence_doc_format in, const char *text,
                             size_t len)
{
    su_home_t home[1] = { SU_HOME_INIT(home) };
    msg_t *msg = msg_make(sip_default_mclass(), 0, text, (ssize_t)len);
    sip_t *sip = msg ? sip_object(msg) : NULL;
    int rc = EXIT_FAILED;

    if (sip == NULL || (sip->sip_request == NULL && sip->sip_status == NULL) ||
        (sip->sip_flags & MSG_FLG_ERROR)) {
        fputs("sipfed presence: the SIP message does not parse\n", stderr);
        goto out;
    }
    const char *ct = sip->sip_content_type ? sip->sip_content_type->c_type : NULL;
    const char *body = sip->sip_payload ? sip->sip_payload->pl_data : NULL;
    size_t body_len = sip->sip_payload ? sip->sip_payload->pl_len : 0;
    if (body == NULL || body_len == 0) {
        fputs("sipfed presence: the SIP message has no body\n", stderr);
        goto out;
    }
    const sip_addr_t *who = sip->sip_request && sip->sip_request->rq_method == sip_method_publish
                                ? sip->sip_to : sip->sip_from;
    if (who != NULL)
        r->fallback_entity = url_as_string(home, who->a_url);
    rc = presence_map(r, in, ct, body, body_len);
out:
    if (msg != NULL)
        msg_destroy(msg);
    su_home_deinit(home);
    return rc;
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
            return usage_print(stdout, "presence");
        default:
            return usage_print(stderr, "presence");
        }
    }
    if (argc - optind > 1)
        return usage_print(stderr, "presence");
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

    if (body[strspn(body, " \t\r\n")] == '\0') {
        fprintf(stderr, "sipfed presence: no input (%s is empty; give a FILE or a document on "
                "stdin)\n", path ? path : "stdin");
        return EXIT_FAILED;
    }
    if (is_sip_message(body))
        return presence_from_sip(&r, in, body, len);
    return presence_map(&r, in, NULL, body, len);
}
