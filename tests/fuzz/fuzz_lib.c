/* fuzz_lib.c — see fuzz_lib.h. Harness code: a process-wide cache of read-only fixtures is fine
 * here (libFuzzer calls the target in one thread). */
#include <stdlib.h>

#include <sofia-sip/sip_header.h>

#include "cases.h"
#include "decide.h"
#include "diag.h"
#include "fuzz_lib.h"
#include "sipmsg.h"

#ifndef FUZZ_REPO
#error "FUZZ_REPO (the repository directory) must be defined by the Makefile"
#endif

const struct dialplan *fuzz_plan(enum fuzz_plan which)
{
    static const char *const dirs[FUZZ_PLAN_COUNT] = {
        [FUZZ_PLAN_LAB] = FUZZ_REPO "/rules",
        [FUZZ_PLAN_INTERNAL] = FUZZ_REPO "/rules/examples/internal/rules",
        [FUZZ_PLAN_DMZ] = FUZZ_REPO "/rules/examples/dmz/rules",
    };
    static struct dialplan *plans[FUZZ_PLAN_COUNT];

    if (plans[which] == NULL) {
        su_home_t *home = su_home_new(sizeof *home);
        struct diag *d = home ? diag_new(home) : NULL;
        if (d == NULL || dialplan_load(dirs[which], d, &plans[which]) != 0) {
            if (d != NULL)
                diag_print(d, stderr);
            fprintf(stderr, "fuzz: cannot load the dial plan %s\n", dirs[which]);
            abort();
        }
        su_home_unref(home);
    }
    return plans[which];
}

FILE *fuzz_sink(void)
{
    static FILE *sink;
    if (sink == NULL && (sink = fopen("/dev/null", "w")) == NULL)
        abort();
    return sink;
}

static void fuzz_decide_one(const struct dialplan *dp, const struct zone *src, const char *method,
                            const char *alias, const char *from, bool authenticated)
{
    su_home_t *home = su_home_new(sizeof *home);
    char err[256];
    msg_t *msg = NULL;
    const char *headers[1];
    size_t n_headers = 0;

    if (home == NULL)
        return;
    if (from != NULL && (headers[0] = sipmsg_from_header(home, from, err, sizeof err)) != NULL)
        n_headers = 1;
    if (sipmsg_build(method, alias, headers, n_headers, NULL, &msg, err, sizeof err) == 0) {
        struct decide_input in = { .sip = sip_object(msg), .source = src,
                                   .authenticated = authenticated };
        struct decision d;
        if (decide_request(home, dp, &in, &d) == 0) {
            /* a decision either refuses with a status or routes along its levels */
            if (d.status != 0 && (d.status < 300 || d.status > 699))
                abort();
            if (case_format_decision(home, &d) == NULL)
                abort();
        }
        msg_destroy(msg);
    }
    su_home_unref(home);
}

void fuzz_decide_samples(const struct dialplan *dp)
{
    static const char *const aliases[] = {
        "bob@msexample.test", "alice@ciscoexample.test;transport=tls", "+15551234@example.com",
        "imp1-public.ciscoexample.test:5061", "user@[2001:db8::1]", "x@a.b.c.d.e.f.example",
    };
    static const char *const methods[] = { "MESSAGE", "SUBSCRIBE", "INVITE", "BENOTIFY" };

    for (size_t z = 0; z < dp->n_zones; z++)
        for (size_t a = 0; a < sizeof aliases / sizeof *aliases; a++)
            fuzz_decide_one(dp, dp->zones[z], methods[(z + a) % 4], aliases[a],
                            a % 2 ? "bob@msexample.test" : NULL, (z + a) % 3 != 0);
}

/* ASan's run-time options for every target (ASAN_OPTIONS still overrides them): a smaller
 * quarantine and no fill of new blocks, so that an execution does not touch fresh pages on
 * every allocation (the loaders allocate and free a lot per input); leaks are still reported. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "quarantine_size_mb=32:max_malloc_fill_size=0:detect_leaks=1";
}
