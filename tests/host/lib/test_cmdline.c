/* Host tests for exo/lib/cmdline.c. */
#include "check.h"
#include "lib/cmdline.h"

static void test_values(void)
{
	char v[32];

	CHECK_EQ(cmdline_get("a=1 test=timer exit=debug", "test", v, sizeof v), 5);
	CHECK_STR(v, "timer");
	CHECK_EQ(cmdline_get("  loglevel=debug\t", "loglevel", v, sizeof v), 5);
	CHECK_STR(v, "debug");
	CHECK_EQ(cmdline_get("x=", "x", v, sizeof v), 0);
	CHECK_STR(v, "");
}

static void test_absent_and_prefixes(void)
{
	char v[8];

	CHECK_EQ(cmdline_get("", "test", v, sizeof v), -1);
	CHECK_EQ(cmdline_get("testing=1 atest=2", "test", v, sizeof v), -1);
	CHECK_EQ(cmdline_has("quiet", "quiet"), 1);
	CHECK_EQ(cmdline_has("quietly", "quiet"), 0);
	CHECK_EQ(cmdline_has("a b c", "b"), 1);
}

static void test_last_wins_and_truncation(void)
{
	char v[4];

	CHECK_EQ(cmdline_get("t=one t=three", "t", v, sizeof v), 5);
	CHECK_STR(v, "thr");
	CHECK_EQ(cmdline_get("flag flag=x", "flag", v, sizeof v), 1);
	CHECK_STR(v, "x");
	CHECK_EQ(cmdline_get("flag=x flag", "flag", v, sizeof v), 0);
}

int main(void)
{
	RUN(test_values);
	RUN(test_absent_and_prefixes);
	RUN(test_last_wins_and_truncation);
	return check_done();
}
