/*
 * The failed-login delay table (throttle.h): a fixed array searched
 * linearly — it is small and a login is rare next to everything else.
 */
#include <string.h>
#include "throttle.h"

void throttle_init(struct throttle *t)
{
	memset(t, 0, sizeof *t);
}

static void cut_key(char *dst, const char *src)
{
	size_t n = 0;

	while (src && n < THROTTLE_KEY_MAX && src[n])
		n++;
	memcpy(dst, src ? src : "", n);
	dst[n] = '\0';
}

static struct throttle_entry *find(const struct throttle *t, uint8_t kind, const char *key)
{
	for (uint32_t i = 0; i < THROTTLE_ENTRIES; i++)
		if (t->e[i].kind == kind && strcmp(t->e[i].key, key) == 0)
			return (struct throttle_entry *)&t->e[i];
	return NULL;
}

/* A free entry, or else the one used least recently (never keep), emptied. */
static struct throttle_entry *take(struct throttle *t, const struct throttle_entry *keep)
{
	struct throttle_entry *oldest = NULL;

	for (uint32_t i = 0; i < THROTTLE_ENTRIES; i++) {
		if (t->e[i].kind == THROTTLE_FREE)
			return &t->e[i];
		if (&t->e[i] != keep && (!oldest || t->e[i].used_ns < oldest->used_ns))
			oldest = &t->e[i];
	}
	memset(oldest, 0, sizeof *oldest);
	return oldest;
}

static struct throttle_entry *entry(struct throttle *t, uint8_t kind, const char *text,
				    const struct throttle_entry *keep)
{
	char key[THROTTLE_KEY_MAX + 1];
	struct throttle_entry *e;

	cut_key(key, text);
	e = find(t, kind, key);
	if (e)
		return e;
	e = take(t, keep);
	e->kind = kind;
	memcpy(e->key, key, sizeof key);
	faildelay_init(&e->delay);
	return e;
}

static uint32_t longer(uint32_t a, uint32_t b)
{
	return a > b ? a : b;
}

uint32_t throttle_failed(struct throttle *t, const char *account, const char *address, uint64_t now_ns)
{
	struct throttle_entry *a = entry(t, THROTTLE_ACCOUNT, account, NULL);
	struct throttle_entry *b;

	a->used_ns = now_ns;
	faildelay_failed(&a->delay);
	b = entry(t, THROTTLE_ADDRESS, address, a);   /* taking b's entry never empties a's */
	b->used_ns = now_ns;
	faildelay_failed(&b->delay);
	return longer(faildelay_next_ms(&a->delay), faildelay_next_ms(&b->delay));
}

void throttle_succeeded(struct throttle *t, const char *account, const char *address)
{
	char key[THROTTLE_KEY_MAX + 1];
	struct throttle_entry *e;

	cut_key(key, account);
	if ((e = find(t, THROTTLE_ACCOUNT, key)) != NULL)
		memset(e, 0, sizeof *e);
	cut_key(key, address);
	if ((e = find(t, THROTTLE_ADDRESS, key)) != NULL)
		memset(e, 0, sizeof *e);
}

uint32_t throttle_peek(const struct throttle *t, const char *account, const char *address)
{
	char key[THROTTLE_KEY_MAX + 1];
	const struct throttle_entry *a, *b;

	cut_key(key, account);
	a = find(t, THROTTLE_ACCOUNT, key);
	cut_key(key, address);
	b = find(t, THROTTLE_ADDRESS, key);
	return longer(faildelay_ms_after((a ? a->delay.failures : 0) + 1),
		      faildelay_ms_after((b ? b->delay.failures : 0) + 1));
}
