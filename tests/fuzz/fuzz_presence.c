/* fuzz_presence.c — libFuzzer target over the presence body parsers and writers.
 * Every input goes through auto-detection (multipart included), each explicit format and a
 * multipart Content-Type; whatever is read is written back as XMPP and PIDF, and those outputs
 * must parse again as well-formed documents of their format (escaping is then right). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "presence.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_outputs(const struct presence_info *info)
{
    static const struct presence_xmpp_opts opts[2] = { { .busy_as_dnd = false },
                                                       { .busy_as_dnd = true } };
    char buf[PRESENCE_OUT_MAX];
    struct presence_info back;
    int n;

    for (int i = 0; i < 2; i++) {
        n = presence_to_xmpp(info, &opts[i], buf, sizeof buf);
        if (n < 0)
            abort();   /* PRESENCE_OUT_MAX must always suffice */
        if (n > 0 && presence_doc_parse(PRESENCE_FMT_XMPP, buf, (size_t)n, &back) != 0)
            abort();
    }
    n = presence_to_pidf(info, buf, sizeof buf);
    if (n < 0)
        abort();
    if (n > 0) {
        struct presence_info again;
        if (presence_doc_parse(PRESENCE_FMT_PIDF, buf, (size_t)n, &back) != 0 ||
            back.state == PRESENCE_UNKNOWN)
            abort();
        /* the PIDF sipfed writes is a fixed point: writing what it reads gives the same state */
        n = presence_to_pidf(&back, buf, sizeof buf);
        if (n <= 0 || presence_doc_parse(PRESENCE_FMT_PIDF, buf, (size_t)n, &again) != 0 ||
            again.state != back.state)
            abort();
    }
}

static void on_part(void *arg, const struct presence_info *info, int err)
{
    (void)arg;
    if (!err && info->state != PRESENCE_UNKNOWN)
        check_outputs(info);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* An exact-size copy, not NUL-terminated: ASan sees any read past the body. */
    char *body = malloc(size ? size : 1);
    struct presence_info info;

    if (!body)
        return 0;
    memcpy(body, data, size);

    presence_body_parse(NULL, body, size, on_part, NULL);
    presence_body_parse("multipart/related;type=\"application/rlmi+xml\";boundary=\"sipfed-b1\"",
                        body, size, on_part, NULL);
    for (enum presence_doc_format f = PRESENCE_FMT_AUTO; f <= PRESENCE_FMT_XMPP; f++) {
        if (presence_doc_parse(f, body, size, &info) == 0 && info.state != PRESENCE_UNKNOWN)
            check_outputs(&info);
    }
    free(body);
    return 0;
}
