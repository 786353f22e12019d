/* fuzz_lib.h — what the libFuzzer targets of tests/fuzz share: the repository's dial plans,
 * loaded once per process through the loader `sipfed check` uses, and a sink for output. */
#ifndef SIPFED_FUZZ_LIB_H
#define SIPFED_FUZZ_LIB_H

#include <stdint.h>
#include <stdio.h>

#include "dialplan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The dial plans the request path and the cases are run against: the lab's rules/ and the
 * two examples (internal node with a traversal client, DMZ node with a traversal server). */
enum fuzz_plan { FUZZ_PLAN_LAB, FUZZ_PLAN_INTERNAL, FUZZ_PLAN_DMZ, FUZZ_PLAN_COUNT };

/* Loaded on first use from FUZZ_REPO (the Makefile's directory); aborts when it does not load:
 * a fuzzer over a broken fixture finds nothing. */
const struct dialplan *fuzz_plan(enum fuzz_plan which);

/* A stream that discards what is written (the loaders' and the cases' reports). */
FILE *fuzz_sink(void);

/* Every request decide_request() is asked about for a dial plan the fuzzer made: each zone as the
 * source, a handful of aliases and methods. The decision must format as a case would. */
void fuzz_decide_samples(const struct dialplan *dp);

#endif
