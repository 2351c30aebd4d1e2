/*
 * Kernel command line: space-separated words, each "key" or "key=value".
 * Pure functions over the string, shared with host tests.
 */
#ifndef EXO_LIB_CMDLINE_H
#define EXO_LIB_CMDLINE_H
#include <stddef.h>

/*
 * Copy the value of key into out (NUL-terminated, truncated to out_size-1)
 * and return its full length; a bare "key" has the empty value.  Returns -1
 * when key is absent.  The last occurrence wins, so appended words override.
 */
int cmdline_get(const char *cmdline, const char *key, char *out, size_t out_size);

/* Whether key is present (bare or with a value). */
int cmdline_has(const char *cmdline, const char *key);

#endif
