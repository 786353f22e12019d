/* reuseport_hook.c — SO_REUSEPORT on the workers' listen sockets (see reuseport_hook.h).
 *
 * Why a hook: sofia-sip 1.12's tport creates, binds and listens on its sockets inside
 * nta_agent_create()/nta_agent_add_tport(); no tag sets SO_REUSEPORT, and it must be set before
 * bind(). Like inbound_hook.c's accept(), the executable defines bind(): libsofia-sip-ua imports
 * it from libc, so its calls come here (ELF interposition) and go on to libc's through
 * dlsym(RTLD_NEXT). Only stream sockets bound to a configured SIP listen port are touched:
 * outgoing connections bind port 0, UDP keeps one owner per port (docs/workers.md), and any
 * other listener (the admin HTTP) fails with EADDRINUSE as before when its port is taken.
 *
 * The port list is process-wide because bind() has no user argument; it is set once by the
 * worker before its agent is created, on the event-loop thread. */
#include "reuseport_hook.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <sys/socket.h>

typedef int bind_f(int, const struct sockaddr *, socklen_t);

static uint16_t reuse_ports[REUSEPORT_PORTS_MAX];
static size_t n_reuse_ports;

int reuseport_ports_set(const uint16_t *ports, size_t n)
{
    if (n > REUSEPORT_PORTS_MAX)
        return E2BIG;
    for (size_t i = 0; i < n; i++)
        reuse_ports[i] = ports[i];
    n_reuse_ports = n;
    return 0;
}

static bind_f *real_bind(void)
{
    static bind_f *fn;
    if (!fn)
        *(void **)&fn = dlsym(RTLD_NEXT, "bind");
    return fn;
}

static uint16_t sockaddr_port(const struct sockaddr *sa, socklen_t len)
{
    if (sa->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in))
        return ntohs(((const struct sockaddr_in *)sa)->sin_port);
    if (sa->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6))
        return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
    return 0;
}

static bool reuse_wanted(int fd, const struct sockaddr *sa, socklen_t len)
{
    uint16_t port = sa ? sockaddr_port(sa, len) : 0;
    if (port == 0)
        return false;
    bool listed = false;
    for (size_t i = 0; i < n_reuse_ports && !listed; i++)
        listed = reuse_ports[i] == port;
    int type = 0;
    socklen_t tlen = sizeof type;
    return listed && getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) == 0 &&
           type == SOCK_STREAM;
}

/* Interposes libc's bind (see the file comment). A failing setsockopt is not hidden: the bind
 * that follows then fails with EADDRINUSE in every worker but the first, and says so. */
int bind(int fd, const struct sockaddr *sa, socklen_t len)
{
    bind_f *real = real_bind();
    if (!real) {
        errno = ENOSYS;
        return -1;
    }
    if (n_reuse_ports > 0 && reuse_wanted(fd, sa, len)) {
        int on = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on);
    }
    return real(fd, sa, len);
}
