/* fuzz_cases.c — libFuzzer target over routing-case files (rules/NAME.cases, SPEC §3.3): the input
 * is a whole case file, run line by line through cases_run_stream() against the lab dial plan,
 * which is what `sipfed check --cases` does (parse, compose the request with sofia, decide,
 * format and compare). The input is read from memory (fmemopen), not from a file. */
#include <stdlib.h>
#include <string.h>

#include "cases.h"
#include "fuzz_lib.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* an exact-size copy: ASan sees any read past the input */
    char *text = malloc(size ? size : 1);
    size_t run = 0, failed = 0;

    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    FILE *f = fmemopen(text, size, "r");
    if (f == NULL) {
        /* glibc refuses a zero-size buffer: an empty file has no cases */
        free(text);
        return 0;
    }
    int rc = cases_run_stream(f, "fuzz.cases", fuzz_plan(FUZZ_PLAN_LAB), fuzz_sink(), &run,
                              &failed);
    if (rc == 0 && failed > run)
        abort();
    fclose(f);
    free(text);
    return 0;
}
