/*
 * The broker's profile arguments (apps/broker/bundles.c): bundles with
 * their names joined for upgrade's answer, and every refusal.
 */
#include <string.h>

#include "check.h"
#include "bundles.h"

static int parse(int argc, char **argv, size_t max, struct bundle_set *set, const char **why)
{
	const char *bad;

	return bundles_parse(argc, argv, max, set, &bad, why);
}

static void test_good(void)
{
	char *argv[] = { "broker", "operator=echo,spawner,procs,power,audit", "guest=echo,session-procs", "none=" };
	struct bundle_set set;
	const struct bundle *b;
	const char *why;

	CHECK_EQ(parse(4, argv, 15, &set, &why), 0);
	CHECK_EQ(set.count, 3);
	b = bundles_find(&set, "operator");
	CHECK(b != NULL);
	CHECK_EQ(b->count, 5);
	CHECK_STR(b->names[4], "audit");
	CHECK_STR(b->joined, "echo spawner procs power audit");
	b = bundles_find(&set, "guest");
	CHECK_STR(b->joined, "echo session-procs");
	b = bundles_find(&set, "none");
	CHECK_EQ(b->count, 0);
	CHECK_STR(b->joined, "");
	CHECK(bundles_find(&set, "oper") == NULL);
}

static void test_bad(void)
{
	static const struct { const char *word; const char *why; } bad[] = {
		{ "operator", "want PROFILE=name,name,..." },
		{ "=echo", "bad profile name (1..31 of a-z 0-9 _ -)" },
		{ "Op=echo", "bad profile name (1..31 of a-z 0-9 _ -)" },
		{ "op=echo,,timer", "bad capability name (a-z first, then a-z 0-9 - _, at most 39)" },
		{ "op=echo,", "bad capability name (a-z first, then a-z 0-9 - _, at most 39)" },
		{ "op=1echo", "bad capability name (a-z first, then a-z 0-9 - _, at most 39)" },
		{ "op=echo,timer,echo", "capability named twice" },
		{ "op=a,b,c,d", "too many capabilities for one reply" },
	};
	struct bundle_set set;
	const char *why;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *argv[] = { "broker", (char *)bad[i].word };

		CHECK_EQ(parse(2, argv, 3, &set, &why), -1);
		CHECK_STR(why, bad[i].why);
	}
}

static void test_twice_and_many(void)
{
	char *twice[] = { "broker", "a=x", "a=y" };
	char *many[] = { "broker", "a=", "b=", "c=", "d=", "e=", "f=", "g=", "h=", "i=" };
	struct bundle_set set;
	const char *why;

	CHECK_EQ(parse(3, twice, 15, &set, &why), -1);
	CHECK_STR(why, "profile given twice");
	CHECK_EQ(parse(10, many, 15, &set, &why), -1);
	CHECK_STR(why, "too many profiles");
}

static void test_names_length(void)
{
	char word[400], *argv[] = { "broker", word };
	struct bundle_set set;
	const char *why;
	size_t n = 0;

	/* seven 39-character names: 7 * 40 - 1 = 279 characters joined */
	n += (size_t)sprintf(word, "p=");
	for (int i = 0; i < 7; i++)
		n += (size_t)sprintf(word + n, "%s%c%038d", i ? "," : "", 'a' + i, 0);
	CHECK_EQ(parse(2, argv, 15, &set, &why), -1);
	CHECK_STR(why, "names longer than 255 characters in all");
}

int main(void)
{
	RUN(test_good);
	RUN(test_bad);
	RUN(test_twice_and_many);
	RUN(test_names_length);
	return check_done();
}
