/* worker_link.c — see worker_link.h. */
#define SU_WAKEUP_ARG_T struct worker_link
#include "worker_link.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sofia-sip/su_alloc.h>

#include "log.h"
#include "workers.h"

struct worker_link {
    su_home_t home[1];
    su_root_t *root;
    int fd;
    su_wait_t wait[1];
    int index;                  /* su_root registration, -1 none */
    worker_learnt_f *learnt;
    void *arg;
};

static void link_close(struct worker_link *l)
{
    if (l->index >= 0)
        su_root_deregister(l->root, l->index);
    else if (l->fd >= 0)
        su_wait_destroy(l->wait);
    l->index = -1;
    if (l->fd >= 0)
        close(l->fd);
    l->fd = -1;
}

static int link_readable(su_root_magic_t *magic, su_wait_t *w, struct worker_link *l)
{
    (void)magic;
    (void)w;
    char buf[WORKERS_MSG_SIZE + 1];
    for (;;) {
        ssize_t n = recv(l->fd, buf, WORKERS_MSG_SIZE, MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return 0;
        if (n <= 0) {
            /* The supervisor is gone: its death signal (PR_SET_PDEATHSIG) stops us. */
            log_warn("worker", "event=link_closed msg=\"the supervisor closed the channel\"");
            link_close(l);
            return 0;
        }
        const char *domain = NULL;
        if (workers_msg_parse(buf, (size_t)n, &domain) == WORKERS_MSG_LEARNT)
            l->learnt(l->arg, domain);
        else
            log_warn("worker", "event=link_message msg=\"unexpected message from the "
                     "supervisor\" bytes=%zd", n);
    }
}

int worker_link_create(su_root_t *root, int fd, worker_learnt_f *learnt, void *arg,
                       struct worker_link **out)
{
    struct worker_link *l = su_home_new(sizeof *l);
    *out = NULL;
    if (!l)
        return ENOMEM;
    l->root = root;
    l->fd = fd;
    l->index = -1;
    l->learnt = learnt;
    l->arg = arg;
    if (su_wait_create(l->wait, fd, SU_WAIT_IN) < 0 ||
        (l->index = su_root_register(root, l->wait, link_readable, l, 0)) < 0) {
        link_close(l);
        su_home_unref(l->home);
        return EIO;
    }
    *out = l;
    return 0;
}

void worker_link_send(struct worker_link *l, const char *text)
{
    if (!l || l->fd < 0)
        return;
    size_t n = strlen(text);
    if (send(l->fd, text, n, MSG_NOSIGNAL | MSG_DONTWAIT) != (ssize_t)n)
        log_warn("worker", "event=link_send msg=\"cannot tell the supervisor\" what=\"%s\" "
                 "error=\"%s\"", text, strerror(errno));
}

void worker_link_destroy(struct worker_link *l)
{
    if (!l)
        return;
    link_close(l);
    su_home_unref(l->home);
}
