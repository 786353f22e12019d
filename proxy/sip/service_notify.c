/* service_notify.c — sd_notify(3) messages of the proxy's life cycle (see service_notify.h). */
#include "service_notify.h"

#include <time.h>

#include <systemd/sd-daemon.h>

#include "log.h"

/* A failure to notify is logged at debug level. Without a manager (NOTIFY_SOCKET unset)
 * sd_notify returns 0 and there is nothing to say. */
static void notify(const char *what, int rc)
{
    if (rc < 0)
        log_debug("proxy", "event=sd_notify what=%s error=%d", what, -rc);
}

void service_notify_ready(const char *status)
{
    notify("ready", sd_notifyf(0, "READY=1\nSTATUS=%s", status));
}

void service_notify_reloading(const char *config_path)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    unsigned long long usec = (unsigned long long)ts.tv_sec * 1000000ULL +
                              (unsigned long long)ts.tv_nsec / 1000ULL;
    notify("reloading", sd_notifyf(0, "RELOADING=1\nSTATUS=reloading %s\nMONOTONIC_USEC=%llu",
                                   config_path, usec));
}

void service_notify_reloaded(bool accepted, const char *status)
{
    notify(accepted ? "reloaded" : "reload-refused", sd_notifyf(0, "READY=1\nSTATUS=%s", status));
}

void service_notify_stopping(const char *status)
{
    notify("stopping", sd_notifyf(0, "STOPPING=1\nSTATUS=%s", status));
}
