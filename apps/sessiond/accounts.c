/*
 * Parsers of sessiond's credential file and arguments (accounts.h).
 */
#include <string.h>
#include "accounts.h"

#define LIFETIME_MS_MAX (366ull * 24 * 3600 * 1000)   /* a year: the ns value fits u64 */

struct field {
	const char *s;
	size_t len;
};

/* Split line into at most max fields at spaces and tabs; the count, or max + 1 when more. */
static size_t split(const char *line, size_t len, struct field *f, size_t max)
{
	size_t n = 0, i = 0;

	while (i < len) {
		size_t start;

		while (i < len && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i == len)
			break;
		if (n == max)
			return max + 1;
		start = i;
		while (i < len && line[i] != ' ' && line[i] != '\t')
			i++;
		f[n].s = line + start;
		f[n].len = i - start;
		n++;
	}
	return n;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Exactly n bytes of hex (2n digits) into out: 0, or -1. */
static int parse_hex(const struct field *f, uint8_t *out, size_t n)
{
	if (f->len != 2 * n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int hi = hex_value(f->s[2 * i]), lo = hex_value(f->s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/* A decimal number of at most 19 digits below or equal to max: 0, or -1. */
static int parse_decimal(const char *s, size_t len, uint64_t max, uint64_t *v)
{
	uint64_t x = 0;

	if (len == 0 || len > 19)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		x = x * 10 + (uint64_t)(s[i] - '0');
	}
	if (x > max)
		return -1;
	*v = x;
	return 0;
}

static int fail(const char **why, const char *text)
{
	*why = text;
	return -1;
}

int accounts_parse_line(const char *line, size_t len, struct account *a, const char **why)
{
	struct field f[5];
	size_t n, i = 0;
	uint64_t iterations;

	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i == len || line[i] == '#')
		return 0;
	if (len > ACCOUNTS_LINE_MAX)
		return fail(why, "line longer than 255 characters");
	n = split(line, len, f, 5);
	if (n != 5)
		return fail(why, "want 5 fields: USER PROFILE ITERATIONS SALT-HEX KEY-HEX");
	memset(a, 0, sizeof *a);
	if (!session_label_ok(f[0].s, f[0].len))
		return fail(why, "bad user name (1..31 of a-z 0-9 _ -)");
	if (!session_label_ok(f[1].s, f[1].len))
		return fail(why, "bad profile name (1..31 of a-z 0-9 _ -)");
	if (parse_decimal(f[2].s, f[2].len, CREDSTORE_ITERATIONS_MAX, &iterations) ||
	    credstore_check_iterations((uint32_t)iterations))
		return fail(why, "iterations must be a number from 1000 to 1000000");
	if (parse_hex(&f[3], a->rec.salt, CREDSTORE_SALT_LEN))
		return fail(why, "salt must be 32 hex digits");
	if (parse_hex(&f[4], a->rec.key, CREDSTORE_KEY_LEN))
		return fail(why, "key must be 64 hex digits");
	memcpy(a->rec.user, f[0].s, f[0].len);
	memcpy(a->profile, f[1].s, f[1].len);
	a->rec.iterations = (uint32_t)iterations;
	return 1;
}

int accounts_parse(const char *text, size_t len, struct account *out, size_t cap, size_t *count,
		   unsigned *line, const char **why)
{
	size_t pos = 0, n = 0;
	unsigned number = 0;

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len, l = end - pos;
		struct account a;
		int r;

		number++;
		if (l && text[pos + l - 1] == '\r')
			l--;
		if (memchr(text + pos, 0, l)) {
			r = fail(why, "NUL byte in the line");
		} else {
			r = accounts_parse_line(text + pos, l, &a, why);
		}
		if (r == 1) {
			for (size_t i = 0; i < n && r == 1; i++)
				if (strcmp(out[i].rec.user, a.rec.user) == 0)
					r = fail(why, "user named twice");
			if (r == 1 && n == cap)
				r = fail(why, "too many accounts");
		}
		if (r < 0) {
			*line = number;
			return -1;
		}
		if (r == 1)
			out[n++] = a;
		pos = end + 1;
	}
	*count = n;
	return 0;
}

/* "PROFILE.lifetime_ms=N" */
static int parse_lifetime(const char *word, const char *eq, struct sessiond_config *cfg,
			  const char **why)
{
	static const char suffix[] = ".lifetime_ms";
	size_t key = (size_t)(eq - word), plen;
	uint64_t ms;

	if (key <= sizeof suffix - 1 || memcmp(eq - (sizeof suffix - 1), suffix, sizeof suffix - 1))
		return fail(why, "unknown argument (accounts=ENTRY or PROFILE.lifetime_ms=N)");
	plen = key - (sizeof suffix - 1);
	if (!session_label_ok(word, plen))
		return fail(why, "bad profile name (1..31 of a-z 0-9 _ -)");
	if (parse_decimal(eq + 1, strlen(eq + 1), LIFETIME_MS_MAX, &ms))
		return fail(why, "lifetime_ms must be a number of milliseconds up to a year");
	for (size_t i = 0; i < cfg->profiles; i++)
		if (strlen(cfg->lifetime[i].profile) == plen && !memcmp(cfg->lifetime[i].profile, word, plen))
			return fail(why, "profile given twice");
	if (cfg->profiles == SESSIOND_PROFILES_MAX)
		return fail(why, "too many profiles");
	memcpy(cfg->lifetime[cfg->profiles].profile, word, plen);
	cfg->lifetime[cfg->profiles].profile[plen] = 0;
	cfg->lifetime[cfg->profiles++].lifetime_ms = ms;
	return 0;
}

int sessiond_parse_args(int argc, char *const *argv, struct sessiond_config *cfg, const char **bad,
			const char **why)
{
	memset(cfg, 0, sizeof *cfg);
	for (int i = 1; i < argc; i++) {
		const char *word = argv[i], *eq = strchr(word, '=');
		int r;

		*bad = word;
		if (!eq) {
			r = fail(why, "unknown argument (accounts=ENTRY or PROFILE.lifetime_ms=N)");
		} else if (eq - word == 8 && !memcmp(word, "accounts", 8)) {
			size_t l = strlen(eq + 1);

			if (cfg->accounts[0])
				r = fail(why, "accounts given twice");
			else if (l == 0 || l > SESSIOND_ENTRY_MAX)
				r = fail(why, "accounts needs a boot-package entry name (1..39 characters)");
			else
				r = (memcpy(cfg->accounts, eq + 1, l + 1), 0);
		} else {
			r = parse_lifetime(word, eq, cfg, why);
		}
		if (r)
			return -1;
	}
	if (!cfg->accounts[0]) {
		*bad = "accounts=";
		return fail(why, "no credential file named (accounts=ENTRY)");
	}
	return 0;
}

uint64_t sessiond_lifetime_ns(const struct sessiond_config *cfg, const char *profile)
{
	for (size_t i = 0; i < cfg->profiles; i++)
		if (strcmp(cfg->lifetime[i].profile, profile) == 0)
			return cfg->lifetime[i].lifetime_ms * 1000000ull;
	return 0;
}
