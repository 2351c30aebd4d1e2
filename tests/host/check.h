/*
 * A very small unit-test kit for host tests.  Each test is a function;
 * RUN(fn) runs it and prints a TAP line; CHECK* record failures with the
 * file and line and keep going, so one run shows every broken check.
 * main() ends with `return check_done();`.  meson runs these with
 * protocol 'tap'.
 */
#ifndef TESTS_HOST_CHECK_H
#define TESTS_HOST_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int check_failures_in_test;
static int check_tests_run;
static int check_tests_failed;

#define CHECK(cond)                                                             \
	do {                                                                    \
		if (!(cond)) {                                                  \
			printf("#   %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
			check_failures_in_test++;                               \
		}                                                               \
	} while (0)

#define CHECK_EQ(a, b)                                                          \
	do {                                                                    \
		long long check_a_ = (long long)(a), check_b_ = (long long)(b); \
		if (check_a_ != check_b_) {                                     \
			printf("#   %s:%d: %s == %s failed: %lld != %lld\n", __FILE__, __LINE__, \
			       #a, #b, check_a_, check_b_);                     \
			check_failures_in_test++;                               \
		}                                                               \
	} while (0)

#define CHECK_STR(a, b)                                                         \
	do {                                                                    \
		const char *check_a_ = (a), *check_b_ = (b);                    \
		if (!check_a_ || !check_b_ || strcmp(check_a_, check_b_) != 0) { \
			printf("#   %s:%d: %s == \"%s\" failed: got \"%s\"\n", __FILE__, __LINE__, \
			       #a, check_b_ ? check_b_ : "(null)", check_a_ ? check_a_ : "(null)"); \
			check_failures_in_test++;                               \
		}                                                               \
	} while (0)

#define RUN(fn)                                                                 \
	do {                                                                    \
		check_failures_in_test = 0;                                     \
		fn();                                                           \
		check_tests_run++;                                              \
		if (check_failures_in_test)                                     \
			check_tests_failed++;                                   \
		printf("%s %d - %s\n", check_failures_in_test ? "not ok" : "ok", \
		       check_tests_run, #fn);                                   \
	} while (0)

static inline int check_done(void)
{
	printf("1..%d\n", check_tests_run);
	return check_tests_failed ? 1 : 0;
}

#endif
