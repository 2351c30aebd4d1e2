/*
 * A small kit for user-mode test programs: each check prints one line
 * "<program>: <what>: ok" or "<program>: <what>: FAILED (...)", counts
 * failures, and the program exits with the count (0 = pass; as init under
 * exit=debug that is the verdict).  Statuses are compared as CAPOS_E*
 * codes and printed with their text.
 */
#ifndef TESTS_USER_UTEST_H
#define TESTS_USER_UTEST_H

#include <capos/rt.h>

void ut_init(const char *program);
/* Record a check: ok when cond holds; detail (printf format) explains a failure. */
void ut_check(int cond, const char *what, const char *detail, ...) __attribute__((format(printf, 3, 4)));
/* A status check: ok when got == want. */
void ut_status(const char *what, int got, int want);
/* Free-form progress line "<program>: text". */
void ut_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int ut_failures(void);
/* The capability granted under name; a missing one is a failure. */
uint32_t ut_cap(const char *name);

#define UT_MS 1000000ull

#endif
