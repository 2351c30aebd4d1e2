/* Host tests for exo/lib/fmt.c, checked against the C library's printf. */
#include <stdarg.h>
#include <stdint.h>
#include "check.h"
#include "lib/fmt.h"

/* Format with both ksnprintf and snprintf and compare. */
#define SAME(...)                                                       \
	do {                                                            \
		char mine[256], libc[256];                              \
		int n1 = ksnprintf(mine, sizeof mine, __VA_ARGS__);     \
		int n2 = snprintf(libc, sizeof libc, __VA_ARGS__);      \
		CHECK_STR(mine, libc);                                  \
		CHECK_EQ(n1, n2);                                       \
	} while (0)

static void test_integers(void)
{
	SAME("%d %i %u", 0, -1, 4000000000u);
	SAME("%d", (int)INT32_MIN);
	SAME("%lld %llu", (long long)INT64_MIN, (unsigned long long)UINT64_MAX);
	SAME("%ld %lu %zu", -5L, 7UL, (size_t)123456789);
	SAME("%hd %hhd %hu %hhu", 70000, 300, 70000, 300);
	SAME("%x %X %#x %#X %o %#o", 0xbeefu, 0xbeefu, 255u, 255u, 8u, 8u);
	SAME("%#x %#o", 0u, 0u);
}

static void test_width_precision(void)
{
	SAME("[%5d] [%-5d] [%05d] [%+d] [% d]", 42, 42, 42, 42, 42);
	SAME("[%05d] [%-05d]", -42, -42);
	SAME("[%.3d] [%8.3d] [%-8.3d] [%08.3d]", 7, 7, 7, 7);
	SAME("[%.0d] [%.0x]", 0, 0u);
	SAME("[%*d] [%-*d] [%.*d]", 6, 1, 6, 1, 4, 1);
	SAME("[%*d]", -6, 1);
	SAME("[%016llx]", 0xdeadbeefULL);
}

static void test_strings_chars(void)
{
	SAME("[%s] [%10s] [%-10s] [%.2s] [%.*s]", "abc", "abc", "abc", "abc", 1, "abc");
	SAME("[%c] [%3c] [%-3c]", 'x', 'y', 'z');
	SAME("100%%");
}

static void test_pointer_and_null(void)
{
	char buf[64];

	ksnprintf(buf, sizeof buf, "%p", (void *)0x1234);
	CHECK_STR(buf, "0x1234");
	ksnprintf(buf, sizeof buf, "%s", (char *)NULL);
	CHECK_STR(buf, "(null)");
}

static void test_truncation(void)
{
	char buf[8];
	int n = ksnprintf(buf, sizeof buf, "%s", "0123456789");

	CHECK_EQ(n, 10);
	CHECK_STR(buf, "0123456");
	n = ksnprintf(buf, 0, "abc");
	CHECK_EQ(n, 3);
	n = ksnprintf(buf, 1, "abc");
	CHECK_STR(buf, "");
}

static void test_unknown_conversion(void)
{
	char buf[32];

	ksnprintf(buf, sizeof buf, "a%qb");
	CHECK_STR(buf, "a%qb");
	ksnprintf(buf, sizeof buf, "end%");
	CHECK_STR(buf, "end%");
}

int main(void)
{
	RUN(test_integers);
	RUN(test_width_precision);
	RUN(test_strings_chars);
	RUN(test_pointer_and_null);
	RUN(test_truncation);
	RUN(test_unknown_conversion);
	return check_done();
}
