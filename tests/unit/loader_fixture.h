/* loader_fixture.h — helpers for the loader tests (test_config.c, test_dialplan.c): files written
 * into a mkdtemp() directory, and diagnostics compared with the exact `file:line: message` text.
 * In expected texts the file is relative to the temporary directory and `$D` stands for it. */
#ifndef SIPFED_LOADER_FIXTURE_H
#define SIPFED_LOADER_FIXTURE_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"

struct fixture {
    char dir[64];
    su_home_t *home;
    struct diag *d;
};

static inline void fixture_open(struct fixture *f)
{
    snprintf(f->dir, sizeof f->dir, "/tmp/sipfed-loader-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    f->home = su_home_new(sizeof *f->home);
    f->d = diag_new(f->home);
}

/* Write `text` to dir/name (name may be `sub/file`: `sub` is created) with `mode`. */
static inline void fixture_write(struct fixture *f, const char *name, const char *text,
                                 mode_t mode)
{
    char path[256];
    const char *slash = strchr(name, '/');
    if (slash) {
        snprintf(path, sizeof path, "%s/%.*s", f->dir, (int)(slash - name), name);
        mkdir(path, 0700);
    }
    snprintf(path, sizeof path, "%s/%s", f->dir, name);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    chmod(path, mode);
}

static inline void fixture_remove_tree(const char *path)
{
    DIR *dir = opendir(path);
    struct dirent *de;
    char sub[1024];
    while (dir && (de = readdir(dir))) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if ((size_t)snprintf(sub, sizeof sub, "%.500s/%.255s", path, de->d_name) >= sizeof sub)
            continue;
        struct stat st;
        if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode))
            fixture_remove_tree(sub);
        else
            unlink(sub);
    }
    if (dir)
        closedir(dir);
    rmdir(path);
}

static inline void fixture_close(struct fixture *f)
{
    fixture_remove_tree(f->dir);
    su_home_unref(f->home);
}

/* The i-th diagnostic with the fixture directory made relative / replaced by `$D`. */
static inline void fixture_diag_text(const struct fixture *f, size_t i, char *out, size_t size)
{
    char raw[1024];
    size_t n = strlen(f->dir);
    diag_format(diag_get(f->d, i), raw, sizeof raw);
    const char *p = raw;
    if (strncmp(p, f->dir, n) == 0 && p[n] == '/')
        p += n + 1;
    size_t k = 0;
    while (*p && k + 3 < size) {
        if (strncmp(p, f->dir, n) == 0) {
            out[k++] = '$';
            out[k++] = 'D';
            p += n;
        } else {
            out[k++] = *p++;
        }
    }
    out[k] = '\0';
}

static inline void fixture_diag_print(const struct fixture *f)
{
    char buf[1024];
    for (size_t i = 0; i < diag_count(f->d); i++) {
        fixture_diag_text(f, i, buf, sizeof buf);
        fprintf(stderr, "  got: %s\n", buf);
    }
}

/* Every diagnostic, in order, equals `expected` (NULL-terminated). */
static inline void fixture_diag_expect(const struct fixture *f, const char *const *expected)
{
    size_t n = 0;
    char buf[1024];
    while (expected[n])
        n++;
    if (diag_count(f->d) != n)
        fixture_diag_print(f);
    assert_int_equal(diag_count(f->d), n);
    for (size_t i = 0; i < n; i++) {
        fixture_diag_text(f, i, buf, sizeof buf);
        if (strcmp(buf, expected[i]) != 0)
            fixture_diag_print(f);
        assert_string_equal(buf, expected[i]);
    }
}

#endif
