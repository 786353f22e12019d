/* secret_file.c — may sipfed use a private key with these permissions (secret_file.h). */
#include "secret_file.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <stdio.h>

int secret_file_groups(const char *user, gid_t *groups, int max)
{
    if (max <= 0)
        return 0;
    if (!user) {
        groups[0] = getegid();
        int n = getgroups(max - 1, groups + 1);
        return n < 0 ? 1 : n + 1;
    }
    const struct passwd *pw = getpwnam(user);
    if (!pw)
        return -1;
    int n = max;
    if (getgrouplist(user, pw->pw_gid, groups, &n) < 0)
        return max;                 /* truncated: the first `max` are there */
    return n;
}

const char *secret_file_problem(const struct stat *st, const gid_t *groups, size_t n_groups)
{
    if (st->st_mode & (S_IROTH | S_IWOTH | S_IXOTH))
        return "readable by others";
    if (st->st_mode & (S_IWGRP | S_IXGRP))
        return "writable by its group";
    if (!(st->st_mode & S_IRGRP))
        return NULL;
    /* Group-readable is the ssl-cert convention: fine when that group is how we read it. */
    for (size_t i = 0; i < n_groups; i++)
        if (groups[i] == st->st_gid)
            return NULL;
    return "readable by a group sipfed does not read it through";
}

char *secret_file_refusal(su_home_t *home, const char *key, const char *path,
                          const struct stat *st, const char *run_user)
{
    gid_t groups[SECRET_GROUPS_MAX];
    const char *user = run_user && geteuid() == 0 ? run_user : NULL;
    int n = secret_file_groups(user, groups, SECRET_GROUPS_MAX);
    const char *problem = secret_file_problem(st, groups, n > 0 ? (size_t)n : 0);
    if (!problem)
        return NULL;
    const struct group *gr = getgrgid(st->st_gid);
    const struct passwd *pw = user ? getpwnam(user) : getpwuid(geteuid());
    const char *who = pw ? pw->pw_name : "sipfed's user";
    char gid[16];
    snprintf(gid, sizeof gid, "%u", (unsigned)st->st_gid);
    return su_sprintf(home, "%s '%s' is %s (mode %04o, group %s): run chmod 600 %s, or give "
                      "it a group %s is a member of and chmod 640 (Debian: chgrp ssl-cert, "
                      "adduser %s ssl-cert)", key, path, problem, (unsigned)(st->st_mode & 07777),
                      gr ? gr->gr_name : gid, path, who, who);
}
