/* secret_file.h — who may read a private key: its owner, and its group only when sipfed reads
 * it through that group (Debian's convention: root:ssl-cert 0640, the daemon's user a member of
 * ssl-cert); never others. Pure over a stat and a group list; the group look-up is libc's. */
#ifndef SIPFED_SECRET_FILE_H
#define SIPFED_SECRET_FILE_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <sofia-sip/su_alloc.h>

enum { SECRET_GROUPS_MAX = 256 };

/* The groups `user` belongs to (its primary group and the supplementary ones of the group
 * database, as initgroups() would set them), or, when `user` is NULL, this process's effective
 * and supplementary groups. Returns how many were written to `groups` (at most `max`), or -1
 * when `user` does not exist. */
int secret_file_groups(const char *user, gid_t *groups, int max);

/* NULL when a secret file with owner/mode `st` may be used by a process whose groups are
 * `groups`; else the problem, as static text: "readable by others", "writable by its group",
 * "readable by a group sipfed does not read it through". */
const char *secret_file_problem(const struct stat *st, const gid_t *groups, size_t n_groups);

/* The one check of a private key (node file and TLS loading): NULL when `st` is acceptable for
 * sipfed running as `run_user` — [proxy] user, which counts only when this process is root and
 * will switch to it; otherwise this process's own groups — else the error message for
 * `key` `path`, from `home`. */
char *secret_file_refusal(su_home_t *home, const char *key, const char *path,
                          const struct stat *st, const char *run_user);

#endif
