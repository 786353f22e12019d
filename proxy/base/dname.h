/* dname.h — comparing DNS domain names as DNS does: case-insensitive, and a name written with
 * its trailing root dot ("msexample.test.") is the same name as without it (RFC 1034 §3.1). */
#ifndef SIPFED_DNAME_H
#define SIPFED_DNAME_H

#include <stdbool.h>
#include <stddef.h>

/* Length of `s` without one trailing dot. */
size_t dname_len(const char *s);
/* Equality, case-insensitive, ignoring one trailing dot on either. NULL equals nothing. */
bool dname_equal(const char *a, const char *b);
/* Order for sorting, with dname_equal()'s idea of equal: <0, 0, >0 like strcmp. */
int dname_cmp(const char *a, const char *b);

#endif
