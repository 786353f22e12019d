/* inbound_hook.c — where the inbound guard (inbound.c) meets sofia: accept() and close().
 *
 * Why a hook: sofia-sip 1.12's tport_accept() calls accept() and registers the new socket at
 * once; no tag, callback or public function lets the application see, count or refuse an
 * accepted connection, nor learn when it closes (tport_socket() is private). Like tls_hook.c's
 * SSL_new, the executable defines accept() and close(): libsofia-sip-ua imports them from libc,
 * so the dynamic linker binds sofia's calls to ours (ELF interposition), and ours call libc's
 * through dlsym(RTLD_NEXT). Both pass everything through untouched unless a guard is active, and
 * then act only on sockets accepted on a SIP listen address the guard watches.
 *
 * The active guard (inbound.c) is process-wide state because accept() has no user argument;
 * sofia, and so every call that matters, runs on the event-loop thread. */
#include <dlfcn.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "inbound.h"

typedef int accept_f(int, struct sockaddr *, socklen_t *);
typedef int close_f(int);

static accept_f *real_accept(void)
{
    static accept_f *fn;
    if (!fn)
        *(void **)&fn = dlsym(RTLD_NEXT, "accept");
    return fn;
}

static close_f *real_close(void)
{
    static close_f *fn;
    if (!fn)
        *(void **)&fn = dlsym(RTLD_NEXT, "close");
    return fn;
}

/* Interposes libc's accept (see the file comment). A refused connection is reset (SO_LINGER 0:
 * the peer sees the refusal at once and we keep no TIME_WAIT) and the caller is told EAGAIN,
 * which sofia treats as "nothing to accept now"; the listening socket stays readable while
 * more connections wait. */
int accept(int lfd, struct sockaddr *addr, socklen_t *len)
{
    accept_f *real = real_accept();
    struct sockaddr_storage ss;
    socklen_t sslen = sizeof ss;
    struct inbound_guard *g = inbound_guard_active();
    bool tls = false;

    if (!real) {
        errno = ENOSYS;
        return -1;
    }
    if (!g || !inbound_guard_watches(g, lfd, &tls))
        return real(lfd, addr, len);
    int fd = real(lfd, (struct sockaddr *)&ss, &sslen);
    if (fd < 0)
        return fd;
    if (!inbound_guard_admit(g, fd, (struct sockaddr *)&ss, sslen, tls)) {
        struct linger lg = { .l_onoff = 1, .l_linger = 0 };
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        real_close()(fd);
        errno = EAGAIN;
        return -1;
    }
    if (addr && len) {
        socklen_t n = *len < sslen ? *len : sslen;
        memcpy(addr, &ss, n);
        *len = sslen;
    }
    return fd;
}

/* Interposes libc's close: a guarded connection leaves the guard's counts when sofia closes it. */
int close(int fd)
{
    close_f *real = real_close();
    struct inbound_guard *g = inbound_guard_active();
    if (g)
        inbound_guard_forget(g, fd);
    if (!real) {
        errno = ENOSYS;
        return -1;
    }
    return real(fd);
}
