/*
 * libFuzzer target for the broker's profile bundles (apps/broker/bundles.c).
 * The input is cut into argument words at spaces, tabs, newlines and NULs,
 * as the manifest's args string reaches the broker, and parsed with the
 * broker's limit of names per bundle and with a smaller one.
 *
 * Accepted words must give one bundle per word, each for a well-formed
 * profile named once, with at most the limit of names, each a manifest
 * capability name given once, and the names joined by spaces fitting
 * upgrade's field; bundles_find must find each profile's own bundle.  A
 * refusal must point at one of the words and say why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "bundles.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ARGS_MAX 64

static int cap_name_ok(const char *s)
{
	size_t len = strlen(s);

	return len >= 1 && len <= BUNDLE_NAME_MAX && s[0] >= 'a' && s[0] <= 'z' &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == len;
}

/* 1 when list (the word after '=') is joined with its commas made spaces. */
static int same_names(const char *list, const char *joined)
{
	for (; *list; list++, joined++)
		if (*joined != (*list == ',' ? ' ' : *list))
			return 0;
	return *joined == 0;
}

static void check_bundle(const struct bundle *b, size_t max_caps)
{
	char joined[BUNDLE_NAMES_LEN + BUNDLE_NAME_MAX + 1] = "";

	if (!session_label_ok(b->profile, strlen(b->profile)) || b->count > max_caps || b->count > BUNDLE_CAPS_MAX)
		abort();
	for (size_t i = 0; i < b->count; i++) {
		if (!memchr(b->names[i], 0, sizeof b->names[i]) || !cap_name_ok(b->names[i]))
			abort();
		for (size_t j = 0; j < i; j++)
			if (!strcmp(b->names[i], b->names[j]))
				abort();
		if (strlen(joined) + 1 + strlen(b->names[i]) >= sizeof joined)
			abort();
		if (i)
			strcat(joined, " ");
		strcat(joined, b->names[i]);
	}
	if (!memchr(b->joined, 0, sizeof b->joined) || strcmp(joined, b->joined))
		abort();
}

static void check_set(int argc, char *const *argv, const struct bundle_set *set, size_t max_caps)
{
	if (set->count != (size_t)(argc - 1) || set->count > BUNDLE_PROFILES_MAX)
		abort();
	for (size_t i = 0; i < set->count; i++) {
		const struct bundle *b = &set->b[i];
		size_t plen = strlen(b->profile);

		check_bundle(b, max_caps);
		/* Bundle i is word i's: PROFILE= then the names, commas for the spaces. */
		if (strncmp(argv[i + 1], b->profile, plen) || argv[i + 1][plen] != '=' ||
		    !same_names(argv[i + 1] + plen + 1, b->joined))
			abort();
		if (bundles_find(set, b->profile) != b)
			abort();
	}
}

static void parse(int argc, char *const *argv, size_t max_caps)
{
	static struct bundle_set set;
	const char *bad = NULL, *why = NULL;
	int found = 0;

	if (bundles_parse(argc, argv, max_caps, &set, &bad, &why) == 0) {
		check_set(argc, argv, &set, max_caps);
		return;
	}
	for (int i = 1; i < argc; i++)
		found |= bad == argv[i];
	if (!found || !why || !why[0])
		abort();
	/* A refusal leaves only whole bundles behind, and nothing of the bad one. */
	for (size_t i = 0; i < set.count; i++)
		check_bundle(&set.b[i], max_caps);
	if (set.count < BUNDLE_PROFILES_MAX)
		for (size_t i = 0; i < sizeof set.b[0]; i++)
			if (((const unsigned char *)&set.b[set.count])[i])
				abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *argv[ARGS_MAX + 1] = { "broker" };
	int argc = 1;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = 0;
	for (size_t i = 0; i < size; i++)
		if (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n')
			buf[i] = 0;
	for (char *p = buf; p < buf + size && argc <= ARGS_MAX; p += strlen(p) + 1)
		if (*p)
			argv[argc++] = p;
	parse(argc, argv, BUNDLE_CAPS_MAX);
	parse(argc, argv, 2);
	free(buf);
	return 0;
}
