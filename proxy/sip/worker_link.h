/* worker_link.h — a worker's end of its channel to the supervisor (docs/workers.md): tells the
 * supervisor when it is ready and how a reload went, and passes learnt domains both ways. */
#ifndef SIPFED_WORKER_LINK_H
#define SIPFED_WORKER_LINK_H

#include <sofia-sip/su_wait.h>

struct worker_link;

/* Called for each domain another worker learnt (open federation, SPEC §6). */
typedef void worker_learnt_f(void *arg, const char *domain);

/* Watch `fd` (a SOCK_SEQPACKET socket from the supervisor; the link owns it) on `root`.
 * Returns 0 or an errno code. */
int worker_link_create(su_root_t *root, int fd, worker_learnt_f *learnt, void *arg,
                       struct worker_link **out);
/* Send one message (workers.h: "ready", "reload ok", "reload refused", "learnt DOMAIN"). A
 * failure is logged; the worker goes on (the supervisor restarts what it cannot reach). */
void worker_link_send(struct worker_link *l, const char *text);
void worker_link_destroy(struct worker_link *l);

#endif
