/* dname.c — DNS domain-name comparison (see dname.h). The one rule every domain look-up uses:
 * static routes, federation lists, learnt domains, SRV targets. */
#include "dname.h"

#include <string.h>
#include <strings.h>

size_t dname_len(const char *s)
{
    size_t n = strlen(s);
    return (n > 0 && s[n - 1] == '.') ? n - 1 : n;
}

bool dname_equal(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return false;
    size_t na = dname_len(a), nb = dname_len(b);
    return na == nb && strncasecmp(a, b, na) == 0;
}

int dname_cmp(const char *a, const char *b)
{
    size_t na = dname_len(a), nb = dname_len(b);
    size_t n = na < nb ? na : nb;
    int c = strncasecmp(a, b, n);
    if (c != 0)
        return c;
    return (na > nb) - (na < nb);
}
