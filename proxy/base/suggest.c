/* suggest.c — "did you mean": optimal string alignment distance over short words. */
#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "suggest.h"

#define SUGGEST_MAX_LEN 64

/* Edit distance (insert, delete, substitute, swap two neighbours), case-insensitive; words
 * longer than SUGGEST_MAX_LEN are never suggested (returns a large distance). */
static size_t suggest_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t d[SUGGEST_MAX_LEN + 1][SUGGEST_MAX_LEN + 1];

    if (la > SUGGEST_MAX_LEN || lb > SUGGEST_MAX_LEN)
        return (size_t)-1;
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            int ca = tolower((unsigned char)a[i - 1]), cb = tolower((unsigned char)b[j - 1]);
            size_t best = d[i - 1][j - 1] + (ca != cb);
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == cb && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[la][lb];
}

static size_t suggest_limit(size_t len)
{
    return len <= 8 ? 1 : 2;
}

const char *suggest_closest_n(const char *word, const char *const *candidates, size_t n)
{
    const char *best = NULL;
    size_t best_d = suggest_limit(strlen(word)) + 1;
    bool letters = false;

    for (const char *p = word; *p; p++)
        letters |= isalpha((unsigned char)*p) != 0;
    if (!letters)
        return NULL;   /* `1.1` is no typo of `1.2`: numbers are not names */

    for (size_t i = 0; i < n; i++) {
        if (strcmp(word, candidates[i]) == 0)
            return NULL;
        size_t dist = suggest_distance(word, candidates[i]);
        if (dist < best_d) {
            best_d = dist;
            best = candidates[i];
        }
    }
    return best;
}

const char *suggest_closest(const char *word, const char *const *candidates)
{
    size_t n = 0;
    while (candidates[n] != NULL)
        n++;
    return suggest_closest_n(word, candidates, n);
}
