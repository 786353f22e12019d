/* privileges.c — root to [proxy] user after binding (privileges.h). */
#include "privileges.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

static int drop_failed(const char *step, const char *user)
{
    int err = errno ? errno : EPERM;
    log_error("proxy", "event=privileges status=failed step=%s user=%s error=\"%s\"", step, user,
              strerror(err));
    return err;
}

int privileges_drop(const struct node_config *cfg, bool *dropped)
{
    *dropped = false;
    if (geteuid() != 0) {
        const struct passwd *me = getpwuid(geteuid());
        if (cfg->user && (!me || strcmp(me->pw_name, cfg->user) != 0))
            log_warn("proxy", "event=privileges user=%s msg=\"[proxy] user = %s is ignored: not "
                     "started as root, sipfed keeps the user that started it\"",
                     me ? me->pw_name : "?", cfg->user);
        return 0;
    }
    if (!cfg->user) {
        log_warn("proxy", "event=privileges user=root msg=\"running as root: set [proxy] user "
                 "(e.g. sipfed) to run unprivileged after binding\"");
        return 0;
    }
    errno = 0;
    const struct passwd *pw = getpwnam(cfg->user);
    if (!pw)
        return drop_failed("getpwnam", cfg->user);
    uid_t uid = pw->pw_uid;
    gid_t gid = pw->pw_gid;
    if (cfg->group) {
        const struct group *gr = getgrnam(cfg->group);
        if (!gr)
            return drop_failed("getgrnam", cfg->user);
        gid = gr->gr_gid;
    }
    /* Groups first, while we may still change them; the user last. */
    if (initgroups(cfg->user, gid) != 0)
        return drop_failed("initgroups", cfg->user);
    if (setresgid(gid, gid, gid) != 0)
        return drop_failed("setgid", cfg->user);
    if (setresuid(uid, uid, uid) != 0)
        return drop_failed("setuid", cfg->user);
    if (uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
        errno = EPERM;
        return drop_failed("verify", cfg->user);
    }
    int n = getgroups(0, NULL);
    log_info("proxy", "event=privileges status=dropped user=%s uid=%u gid=%u groups=%d",
             cfg->user, (unsigned)uid, (unsigned)gid, n);
    *dropped = true;
    return 0;
}
