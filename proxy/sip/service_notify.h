/* service_notify.h — tell the service manager (systemd, Type=notify) what the proxy is doing:
 * ready once it listens, reloading and ready again around a SIGHUP with a STATUS= saying whether
 * the new configuration was accepted, stopping on SIGTERM (sd_notify(3)). Without
 * $NOTIFY_SOCKET (not started by systemd) every call does nothing. */
#ifndef SIPFED_SERVICE_NOTIFY_H
#define SIPFED_SERVICE_NOTIFY_H

#include <stdbool.h>

/* READY=1 with STATUS=`status` (e.g. "serving: 3 zones, 5 rules"). */
void service_notify_ready(const char *status);
/* RELOADING=1 with the monotonic time systemd 253+ asks for; before reading the files. */
void service_notify_reloading(const char *config_path);
/* READY=1 after a reload; STATUS= tells an accepted from a refused configuration. */
void service_notify_reloaded(bool accepted, const char *status);
/* STOPPING=1 with STATUS=`status`. */
void service_notify_stopping(const char *status);

#endif
