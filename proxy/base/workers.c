/* workers.c — see workers.h. */
#include "workers.h"

#include <string.h>

unsigned workers_count(unsigned configured, long online_cpus)
{
    if (configured != WORKERS_AUTO)
        return configured > WORKERS_MAX ? WORKERS_MAX : configured;
    if (online_cpus <= 1)
        return 1;
    return online_cpus > WORKERS_AUTO_CAP ? WORKERS_AUTO_CAP : (unsigned)online_cpus;
}

unsigned workers_share(unsigned total, unsigned n)
{
    if (n <= 1 || total == 0)
        return total;
    return total / n + (total % n != 0);
}

unsigned workers_streak_next(unsigned streak, uint64_t uptime_ms)
{
    return uptime_ms >= WORKERS_STABLE_MS ? 1 : streak + 1;
}

unsigned workers_restart_delay_ms(unsigned streak)
{
    unsigned ms = WORKERS_RESTART_MIN_MS;
    for (unsigned i = 1; i < streak && ms < WORKERS_RESTART_MAX_MS; i++)
        ms *= 2;
    return ms > WORKERS_RESTART_MAX_MS ? WORKERS_RESTART_MAX_MS : ms;
}

enum workers_msg workers_msg_parse(char *buf, size_t n, const char **domain)
{
    static const char learnt[] = "learnt ";
    buf[n] = '\0';
    if (strlen(buf) != n)
        return WORKERS_MSG_BAD;                 /* a NUL inside */
    if (strcmp(buf, "ready") == 0)
        return WORKERS_MSG_READY;
    if (strcmp(buf, "reload ok") == 0)
        return WORKERS_MSG_RELOAD_OK;
    if (strcmp(buf, "reload refused") == 0)
        return WORKERS_MSG_RELOAD_REFUSED;
    if (n > sizeof learnt - 1 && strncmp(buf, learnt, sizeof learnt - 1) == 0 &&
        !strpbrk(buf + sizeof learnt - 1, " \t\r\n")) {
        *domain = buf + sizeof learnt - 1;
        return WORKERS_MSG_LEARNT;
    }
    return WORKERS_MSG_BAD;
}
