/* suggest.h — "did you mean": the closest valid word to a misspelt one. Pure. */
#ifndef SIPFED_SUGGEST_H
#define SIPFED_SUGGEST_H

#include <stddef.h>

/* The candidate closest to `word` by edit distance (case-insensitive; a transposition counts as
 * one edit), when it is close enough to be a typo: at most 1 edit for words up to 8 characters,
 * 2 beyond (`ms-sip` is no typo of `ms-imp`). NULL when none is, when `word` is itself a candidate, or when it has no
 * letter (a number is no misspelt name). `candidates` ends with NULL. */
const char *suggest_closest(const char *word, const char *const *candidates);

/* The same over `n` candidates (names of zones, rules, ...). */
const char *suggest_closest_n(const char *word, const char *const *candidates, size_t n);

#endif
