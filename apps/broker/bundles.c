/*
 * Parser of the broker's profile arguments (bundles.h).
 */
#include <string.h>
#include "bundles.h"

static int fail(const char **why, const char *text)
{
	*why = text;
	return -1;
}

/* A manifest capability name: a-z first, then a-z 0-9 - _, at most 39. */
static int cap_name_ok(const char *s, size_t len)
{
	if (len == 0 || len > BUNDLE_NAME_MAX || s[0] < 'a' || s[0] > 'z')
		return 0;
	for (size_t i = 1; i < len; i++)
		if (!session_label_char(s[i]))
			return 0;
	return 1;
}

/* Add the comma-separated names of list to b. */
static int parse_names(const char *list, size_t max_caps, struct bundle *b, const char **why)
{
	const char *p = list;
	size_t used = 0;

	if (!*p)
		return 0;
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);

		if (!cap_name_ok(p, len))
			return fail(why, "bad capability name (a-z first, then a-z 0-9 - _, at most 39)");
		for (size_t i = 0; i < b->count; i++)
			if (strlen(b->names[i]) == len && !memcmp(b->names[i], p, len))
				return fail(why, "capability named twice");
		if (b->count == max_caps || b->count == BUNDLE_CAPS_MAX)
			return fail(why, "too many capabilities for one reply");
		if (used + (used ? 1 : 0) + len >= BUNDLE_NAMES_LEN)
			return fail(why, "names longer than 255 characters in all");
		memcpy(b->names[b->count], p, len);
		b->names[b->count++][len] = 0;
		if (used)
			b->joined[used++] = ' ';
		memcpy(b->joined + used, p, len);
		used += len;
		if (!comma)
			return 0;
		p = comma + 1;
	}
}

int bundles_parse(int argc, char *const *argv, size_t max_caps, struct bundle_set *set,
		  const char **bad, const char **why)
{
	memset(set, 0, sizeof *set);
	for (int i = 1; i < argc; i++) {
		const char *word = argv[i], *eq = strchr(word, '=');
		struct bundle *b;
		size_t plen;

		*bad = word;
		if (!eq)
			return fail(why, "want PROFILE=name,name,...");
		plen = (size_t)(eq - word);
		if (!session_label_ok(word, plen))
			return fail(why, "bad profile name (1..31 of a-z 0-9 _ -)");
		for (size_t j = 0; j < set->count; j++)
			if (strlen(set->b[j].profile) == plen && !memcmp(set->b[j].profile, word, plen))
				return fail(why, "profile given twice");
		if (set->count == BUNDLE_PROFILES_MAX)
			return fail(why, "too many profiles");
		b = &set->b[set->count];
		memcpy(b->profile, word, plen);
		if (parse_names(eq + 1, max_caps, b, why)) {
			memset(b, 0, sizeof *b);
			return -1;
		}
		set->count++;
	}
	return 0;
}

const struct bundle *bundles_find(const struct bundle_set *set, const char *profile)
{
	for (size_t i = 0; i < set->count; i++)
		if (strcmp(set->b[i].profile, profile) == 0)
			return &set->b[i];
	return NULL;
}
