/* lab_pki.h — the lab PKI (certs/mklab.sh) in a fresh temporary directory, for unit tests that
 * need real certificates: `dir` receives the directory; its lab/ holds ca.pem, inter.pem and
 * the leaves (NAME.pem = leaf + intermediate, NAME.key). Header-only, static: included by one
 * test file each. */
#ifndef SIPFED_TEST_LAB_PKI_H
#define SIPFED_TEST_LAB_PKI_H

#include <stdio.h>
#include <stdlib.h>

static int lab_pki_make(char *dir, size_t size, const char *tag)
{
    char cmd[512];
    snprintf(dir, size, "/tmp/sipfed-test-%s-XXXXXX", tag);
    if (!mkdtemp(dir))
        return -1;
    snprintf(cmd, sizeof cmd, "certs/mklab.sh %s/lab >/dev/null", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static int lab_pki_remove(const char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

#endif
