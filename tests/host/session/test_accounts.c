/*
 * sessiond's parsers (apps/sessiond/accounts.c): the credential file's
 * lines, a whole file with its first bad line named, and the arguments.
 */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "accounts.h"

#define SALT "00112233445566778899aabbccddeeff"
#define KEY "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

static int line(const char *text, struct account *a, const char **why)
{
	*why = NULL;
	return accounts_parse_line(text, strlen(text), a, why);
}

static void test_good_line(void)
{
	struct account a;
	const char *why;

	CHECK_EQ(line("alice operator 20000 " SALT " " KEY, &a, &why), 1);
	CHECK_STR(a.rec.user, "alice");
	CHECK_STR(a.profile, "operator");
	CHECK_EQ(a.rec.iterations, 20000);
	CHECK_EQ(a.rec.salt[0], 0x00);
	CHECK_EQ(a.rec.salt[15], 0xff);
	CHECK_EQ(a.rec.key[31], 0x1f);
	CHECK_EQ(line("\tbob_2  guest\t1000 " SALT " " KEY "  ", &a, &why), 1);
	CHECK_STR(a.rec.user, "bob_2");
	CHECK_EQ(line("", &a, &why), 0);
	CHECK_EQ(line("   \t", &a, &why), 0);
	CHECK_EQ(line("  # a comment with anything: x y z", &a, &why), 0);
}

static void test_bad_lines(void)
{
	static const struct { const char *text; const char *why; } bad[] = {
		{ "alice operator 20000 " SALT, "want 5 fields: USER PROFILE ITERATIONS SALT-HEX KEY-HEX" },
		{ "alice operator 20000 " SALT " " KEY " extra", "want 5 fields: USER PROFILE ITERATIONS SALT-HEX KEY-HEX" },
		{ "Alice operator 20000 " SALT " " KEY, "bad user name (1..31 of a-z 0-9 _ -)" },
		{ "abcdefghijabcdefghijabcdefghijab operator 20000 " SALT " " KEY, "bad user name (1..31 of a-z 0-9 _ -)" },
		{ "alice oper.ator 20000 " SALT " " KEY, "bad profile name (1..31 of a-z 0-9 _ -)" },
		{ "alice operator 999 " SALT " " KEY, "iterations must be a number from 1000 to 1000000" },
		{ "alice operator 1000001 " SALT " " KEY, "iterations must be a number from 1000 to 1000000" },
		{ "alice operator 2e4 " SALT " " KEY, "iterations must be a number from 1000 to 1000000" },
		{ "alice operator 99999999999999999999 " SALT " " KEY, "iterations must be a number from 1000 to 1000000" },
		{ "alice operator 20000 0011 " KEY, "salt must be 32 hex digits" },
		{ "alice operator 20000 g0112233445566778899aabbccddeeff " KEY, "salt must be 32 hex digits" },
		{ "alice operator 20000 " SALT " " KEY "00", "key must be 64 hex digits" },
	};
	struct account a;
	const char *why;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CHECK_EQ(line(bad[i].text, &a, &why), -1);
		CHECK_STR(why, bad[i].why);
	}
}

static void test_long_line(void)
{
	char text[400];
	struct account a;
	const char *why;

	memset(text, 'a', sizeof text - 1);
	text[sizeof text - 1] = 0;
	CHECK_EQ(line(text, &a, &why), -1);
	CHECK_STR(why, "line longer than 255 characters");
}

static void test_file(void)
{
	static const char good[] = "# accounts\n"
		"operator operator 20000 " SALT " " KEY "\r\n"
		"\n"
		"guest guest 20000 " SALT " " KEY;
	static const char dup[] = "a p 1000 " SALT " " KEY "\n# x\nb p 1000 " SALT " " KEY "\n"
		"a q 1000 " SALT " " KEY "\n";
	static const char nul[] = "# x\n# y\0z\n";
	struct account out[ACCOUNTS_MAX];
	size_t count = 99;
	unsigned at = 0;
	const char *why = NULL;

	CHECK_EQ(accounts_parse(good, sizeof good - 1, out, ACCOUNTS_MAX, &count, &at, &why), 0);
	CHECK_EQ(count, 2);
	CHECK_STR(out[0].rec.user, "operator");
	CHECK_STR(out[1].profile, "guest");
	CHECK_EQ(accounts_parse(dup, sizeof dup - 1, out, ACCOUNTS_MAX, &count, &at, &why), -1);
	CHECK_EQ(at, 4);
	CHECK_STR(why, "user named twice");
	CHECK_EQ(accounts_parse(dup, sizeof dup - 1, out, 1, &count, &at, &why), -1);
	CHECK_EQ(at, 3);
	CHECK_STR(why, "too many accounts");
	CHECK_EQ(accounts_parse(nul, sizeof nul - 1, out, ACCOUNTS_MAX, &count, &at, &why), -1);
	CHECK_EQ(at, 2);
	CHECK_STR(why, "NUL byte in the line");
	CHECK_EQ(accounts_parse("", 0, out, ACCOUNTS_MAX, &count, &at, &why), 0);
	CHECK_EQ(count, 0);
}

static void test_args(void)
{
	char *good[] = { "sessiond", "accounts=accounts", "guest.lifetime_ms=600000", "operator.lifetime_ms=0" };
	char *none[] = { "sessiond", "guest.lifetime_ms=5" };
	char *twice[] = { "sessiond", "accounts=a", "g.lifetime_ms=1", "g.lifetime_ms=2" };
	char *junk[] = { "sessiond", "accounts=a", "verbose" };
	char *suffix[] = { "sessiond", "accounts=a", "g.lifetime=1" };
	char *number[] = { "sessiond", "accounts=a", "g.lifetime_ms=-1" };
	char *huge[] = { "sessiond", "accounts=a", "g.lifetime_ms=99999999999999" };
	struct sessiond_config cfg;
	const char *bad, *why;

	CHECK_EQ(sessiond_parse_args(4, good, &cfg, &bad, &why), 0);
	CHECK_STR(cfg.accounts, "accounts");
	CHECK_EQ(sessiond_lifetime_ns(&cfg, "guest"), 600000000000ull);
	CHECK_EQ(sessiond_lifetime_ns(&cfg, "operator"), 0);
	CHECK_EQ(sessiond_lifetime_ns(&cfg, "other"), 0);
	CHECK_EQ(sessiond_parse_args(2, none, &cfg, &bad, &why), -1);
	CHECK_STR(why, "no credential file named (accounts=ENTRY)");
	CHECK_EQ(sessiond_parse_args(4, twice, &cfg, &bad, &why), -1);
	CHECK_STR(bad, "g.lifetime_ms=2");
	CHECK_STR(why, "profile given twice");
	CHECK_EQ(sessiond_parse_args(3, junk, &cfg, &bad, &why), -1);
	CHECK_STR(bad, "verbose");
	CHECK_EQ(sessiond_parse_args(3, suffix, &cfg, &bad, &why), -1);
	CHECK_STR(why, "unknown argument (accounts=ENTRY or PROFILE.lifetime_ms=N)");
	CHECK_EQ(sessiond_parse_args(3, number, &cfg, &bad, &why), -1);
	CHECK_STR(why, "lifetime_ms must be a number of milliseconds up to a year");
	CHECK_EQ(sessiond_parse_args(3, huge, &cfg, &bad, &why), -1);
}

int main(void)
{
	RUN(test_good_line);
	RUN(test_bad_lines);
	RUN(test_long_line);
	RUN(test_file);
	RUN(test_args);
	return check_done();
}
