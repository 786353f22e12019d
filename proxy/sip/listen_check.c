/* listen_check.c — bind each listen address once before sofia does, to report why it cannot. */
#include <errno.h>
#include <netdb.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "listen_check.h"

#define LISTEN_CHECK_MAX_FDS 64

/* The probes stay open until every address is tried, so two listen entries that would share a
 * socket (tls and tcp on one port) collide here as they would in sofia. */
struct listen_probes {
    int fds[LISTEN_CHECK_MAX_FDS];
    size_t n;
};

/* 0 when `ai` can be bound (and a stream socket listen) as sofia would, else errno. */
static int listen_check_bind(struct listen_probes *pr, const struct addrinfo *ai)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0)
        return errno;
    int one = 1, err = 0;
    bool stream = ai->ai_socktype == SOCK_STREAM;
    if (stream && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0)
        err = errno;
    if (err == 0 && bind(fd, ai->ai_addr, ai->ai_addrlen) != 0)
        err = errno;
    if (err == 0 && stream && listen(fd, 1) != 0)
        err = errno;
    if (err == 0 && pr->n < LISTEN_CHECK_MAX_FDS)
        pr->fds[pr->n++] = fd;
    else
        close(fd);
    return err;
}

static int listen_check_one(struct listen_probes *pr, const struct node_config *cfg,
                            const struct listen_addr *l, FILE *out)
{
    struct addrinfo hints = {
        .ai_flags = AI_PASSIVE | AI_NUMERICSERV,
        .ai_family = AF_UNSPEC,
        .ai_socktype = l->transport == SIP_TP_UDP ? SOCK_DGRAM : SOCK_STREAM,
    };
    struct addrinfo *res = NULL;
    char port[8];
    int err = 0;

    snprintf(port, sizeof port, "%u", (unsigned)l->port);
    int gai = getaddrinfo(l->host, port, &hints, &res);
    if (gai != 0) {
        fprintf(out, "%s:%u: cannot listen on %s:%s:%u: %s\n", cfg->file, l->line,
                sip_transport_name(l->transport), l->host, (unsigned)l->port, gai_strerror(gai));
        return EADDRNOTAVAIL;
    }
    for (const struct addrinfo *ai = res; ai != NULL && err == 0; ai = ai->ai_next)
        err = listen_check_bind(pr, ai);
    freeaddrinfo(res);
    if (err != 0) {
        int v6 = strchr(l->host, ':') != NULL;
        fprintf(out, "%s:%u: cannot listen on %s:%s%s%s:%u: %s%s\n", cfg->file, l->line,
                sip_transport_name(l->transport), v6 ? "[" : "", l->host, v6 ? "]" : "",
                (unsigned)l->port, strerror(err),
                err == EADDRINUSE ? " (another process, or an earlier entry of this list, "
                                    "listens there: stop it, or change [proxy] listen)" :
                err == EADDRNOTAVAIL ? " (no interface of this machine has that address)" :
                err == EACCES ? " (ports below 1024 need root or CAP_NET_BIND_SERVICE)" : "");
    }
    return err;
}

int listen_check(const struct node_config *cfg, FILE *out)
{
    struct listen_probes pr = { .n = 0 };
    int first = 0;
    for (size_t i = 0; i < cfg->n_listen; i++) {
        int err = listen_check_one(&pr, cfg, &cfg->listen[i], out);
        if (err != 0 && first == 0)
            first = err;
    }
    for (size_t i = 0; i < pr.n; i++)
        close(pr.fds[i]);
    return first;
}
