/*
 * libFuzzer target for sessiond's parsers (apps/sessiond/accounts.c).
 *
 * The input is first a credential file.  An accepted file must hold
 * records the credential store takes as they are (credstore_insert: name,
 * iteration count, no name twice), each of which reads back the same when
 * written out as a line again.  A refused file must name a line of the
 * input with a reason, and every line before it must be good: the file
 * cut just before that line is accepted.
 *
 * The input is then cut at every NUL and newline into argument words
 * (argv[1..]).  Accepted arguments must name the entry (1..39 characters,
 * from the one accounts= word) and one lifetime per other word, each for a
 * well-formed profile, given once, up to a year; a refusal must point at
 * one of the words (or at "accounts=" when none names the file).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "accounts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ARGS_MAX 64
#define YEAR_MS (366ull * 24 * 3600 * 1000)

/* credstore_init wants randomness for its dummy record; any bytes will do here. */
static int fixed_random(void *ctx, void *buf, size_t len)
{
	(void)ctx;
	memset(buf, 0x5a, len);
	return 0;
}

/* Lines of text as accounts_parse counts them: a last line without '\n' counts. */
static unsigned count_lines(const char *text, size_t len)
{
	unsigned n = 0;

	for (size_t i = 0; i < len; i++)
		n += text[i] == '\n';
	return n + (len && text[len - 1] != '\n');
}

/* Where 1-based line `line` starts. */
static size_t line_start(const char *text, size_t len, unsigned line)
{
	size_t pos = 0;

	while (--line) {
		const char *nl = memchr(text + pos, '\n', len - pos);

		if (!nl)
			abort();
		pos = (size_t)(nl - text) + 1;
	}
	return pos;
}

static void hex(char *out, const uint8_t *bytes, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", bytes[i]);
}

/* a written out as a credential-file line must parse back to a. */
static void check_round_trip(const struct account *a)
{
	char line[ACCOUNTS_LINE_MAX + 1], salt[2 * CREDSTORE_SALT_LEN + 1], key[2 * CREDSTORE_KEY_LEN + 1];
	struct account back;
	const char *why = NULL;
	int n;

	hex(salt, a->rec.salt, CREDSTORE_SALT_LEN);
	hex(key, a->rec.key, CREDSTORE_KEY_LEN);
	n = snprintf(line, sizeof line, "%s\t%s %u %s %s", a->rec.user, a->profile, a->rec.iterations,
		     salt, key);
	if (n < 0 || (size_t)n >= sizeof line)
		abort();
	if (accounts_parse_line(line, (size_t)n, &back, &why) != 1 || memcmp(&back, a, sizeof back))
		abort();
}

static void check_accepted(const struct account *acc, size_t count)
{
	static struct credstore_record records[ACCOUNTS_MAX];
	struct credstore store;

	if (count > ACCOUNTS_MAX)
		abort();
	if (credstore_init(&store, records, ACCOUNTS_MAX, CREDSTORE_ITERATIONS_MIN, fixed_random, NULL))
		abort();
	for (size_t i = 0; i < count; i++) {
		const struct account *a = &acc[i];

		/* The user field is zero-padded; the profile is a NUL-terminated label. */
		for (size_t j = strlen(a->rec.user); j < sizeof a->rec.user; j++)
			if (a->rec.user[j])
				abort();
		if (!session_label_ok(a->profile, strlen(a->profile)) ||
		    !session_label_ok(a->rec.user, strlen(a->rec.user)))
			abort();
		if (credstore_insert(&store, &a->rec))
			abort();
		check_round_trip(a);
	}
}

static void check_file(const char *text, size_t len)
{
	static struct account acc[ACCOUNTS_MAX];
	size_t count = 0, before_count = 0;
	unsigned line = 0, before_line = 0;
	const char *why = NULL, *before_why = NULL;

	if (accounts_parse(text, len, acc, ACCOUNTS_MAX, &count, &line, &why) == 0) {
		check_accepted(acc, count);
		return;
	}
	if (line < 1 || line > count_lines(text, len) || !why || !why[0])
		abort();
	/* The first bad line is the one named: what comes before it is a good file. */
	if (accounts_parse(text, line_start(text, len, line), acc, ACCOUNTS_MAX, &before_count,
			   &before_line, &before_why))
		abort();
}

/* The profile's lifetime word among argv[1..argc). */
static int has_lifetime_word(int argc, char *const *argv, const char *profile, uint64_t ms)
{
	char want[SESSION_LABEL_MAX + 64];

	snprintf(want, sizeof want, "%s.lifetime_ms=", profile);
	for (int i = 1; i < argc; i++)
		if (!strncmp(argv[i], want, strlen(want)) && strtoull(argv[i] + strlen(want), NULL, 10) == ms)
			return 1;
	return 0;
}

static void check_config(int argc, char *const *argv, const struct sessiond_config *cfg)
{
	size_t len = strlen(cfg->accounts);
	int named = 0;

	if (len == 0 || len > SESSIOND_ENTRY_MAX)
		abort();
	for (int i = 1; i < argc; i++)
		named += !strncmp(argv[i], "accounts=", 9) && !strcmp(argv[i] + 9, cfg->accounts);
	if (named != 1 || cfg->profiles != (size_t)(argc - 2) || cfg->profiles > SESSIOND_PROFILES_MAX)
		abort();
	for (size_t i = 0; i < cfg->profiles; i++) {
		const char *p = cfg->lifetime[i].profile;
		uint64_t ms = cfg->lifetime[i].lifetime_ms;

		if (!session_label_ok(p, strlen(p)) || ms > YEAR_MS || sessiond_lifetime_ns(cfg, p) != ms * 1000000ull)
			abort();
		if (!has_lifetime_word(argc, argv, p, ms))
			abort();
		for (size_t j = 0; j < i; j++)
			if (!strcmp(cfg->lifetime[j].profile, p))
				abort();
	}
}

static void check_args(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *argv[ARGS_MAX + 1] = { "sessiond" };
	struct sessiond_config cfg;
	const char *bad = NULL, *why = NULL;
	int argc = 1, found;

	if (!buf)
		return;
	memcpy(buf, data, size);
	buf[size] = 0;
	for (size_t i = 0; i < size; i++)
		if (buf[i] == '\n')
			buf[i] = 0;
	/* One word per piece; a separator at the very end starts no empty word. */
	for (char *p = buf; p < buf + size && argc <= ARGS_MAX; p += strlen(p) + 1)
		argv[argc++] = p;
	if (sessiond_parse_args(argc, argv, &cfg, &bad, &why) == 0) {
		check_config(argc, argv, &cfg);
	} else {
		found = bad && !strcmp(bad, "accounts=");
		for (int i = 1; i < argc; i++)
			found |= bad == argv[i];
		if (!found || !why || !why[0])
			abort();
	}
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size ? size : 1);

	if (!text)
		return 0;
	memcpy(text, data, size);   /* exactly size bytes: ASan sees any read past the end */
	check_file(text, size);
	free(text);
	check_args(data, size);
	return 0;
}
