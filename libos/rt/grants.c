/*
 * The grant language (grants.h): words to a plan of what the loader
 * grants and binds, every refusal decided before a child exists.  The
 * codes are those ProcessSpawner.spawn gave when the kernel parsed it.
 */
#include <stddef.h>
#include <capos/error.h>
#include "grants.h"

#define KIND_MAX 16   /* bytes including the NUL */

static const struct {
	const char *word;
	uint32_t bind;
} bind_kinds[] = {
	{ "vm", CAPOS_BIND_VM },
	{ "threads", CAPOS_BIND_THREADS },
	{ "thread", CAPOS_BIND_THREAD },
	{ "park", CAPOS_BIND_PARK },
	{ "self", CAPOS_BIND_SELF },
};

static int name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
}

/* a[0..n) is the whole of the string b. */
static int same(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return 0;
	return b[n] == '\0';
}

static size_t text_len(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

/* The CAPOS_BIND_* of kind[0..n), 0 when unknown. */
static uint32_t bind_of(const char *kind, size_t n)
{
	for (size_t i = 0; i < sizeof bind_kinds / sizeof bind_kinds[0]; i++)
		if (same(kind, bind_kinds[i].word, n))
			return bind_kinds[i].bind;
	return 0;
}

static uint32_t plain_names(const struct grant_plan *plan)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < plan->count; i++)
		n += plan->g[i].bind == 0;
	return n;
}

/* "=@KIND" after a name: its bind kind, advancing *text; -CAPOS_EINVAL when malformed or unknown. */
static int parse_kind(const char **text, uint32_t *bind)
{
	const char *t = *text;
	size_t k = 0;

	if (t[1] != '@')
		return -CAPOS_EINVAL;
	t += 2;
	while (name_char(t[k]) && k + 1 < KIND_MAX)
		k++;
	if (k == 0 || (t[k] && t[k] != ' '))
		return -CAPOS_EINVAL;
	*bind = bind_of(t, k);
	*text = t + k;
	return *bind ? 0 : -CAPOS_EINVAL;
}

/* One NAME or NAME=@KIND word at *text into plan->g[plan->count]. */
static int parse_word(const char **text, struct grant_plan *plan)
{
	struct grant *g = &plan->g[plan->count];
	const char *t = *text;
	size_t n = 0;
	int err;

	if (plan->count == GRANTS_MAX)
		return -CAPOS_ERANGE;
	while (name_char(t[n]) && n + 1 < CAPOS_CAP_NAME_MAX)
		n++;
	if (n == 0 || (t[n] && t[n] != ' ' && t[n] != '='))
		return -CAPOS_EINVAL;
	for (size_t i = 0; i < n; i++)
		g->name[i] = t[i];
	g->name[n] = '\0';
	g->bind = 0;
	g->xfer = 0;
	t += n;
	if (*t == '=') {
		err = parse_kind(&t, &g->bind);
		if (err)
			return err;
	}
	for (uint32_t i = 0; i < plan->count; i++)
		if (same(g->name, plan->g[i].name, n))
			return -CAPOS_EEXIST;
	*text = t;
	return 0;
}

/* Number the plain names' capabilities in order. */
static void number_xfers(struct grant_plan *plan)
{
	uint32_t next = 0;

	for (uint32_t i = 0; i < plan->count; i++)
		if (!plan->g[i].bind)
			plan->g[i].xfer = next++;
}

int grants_parse(const char *text, uint32_t ncaps, struct grant_plan *plan)
{
	plan->count = 0;
	if (!text)
		text = "";
	if (text_len(text, GRANTS_TEXT_MAX) == GRANTS_TEXT_MAX)
		return -CAPOS_ERANGE;
	while (*text) {
		int err;

		while (*text == ' ')
			text++;
		if (!*text)
			break;
		err = parse_word(&text, plan);
		if (err)
			return err;
		plan->count++;
	}
	if (plain_names(plan) != ncaps)
		return -CAPOS_EINVAL;
	number_xfers(plan);
	return 0;
}
