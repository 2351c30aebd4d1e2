/*
 * The browser-session table (websess.h).
 */
#include <stdio.h>
#include <string.h>
#include <capos/error.h>
#include "ct.h"
#include "websess.h"

#define HEX_LEN (2 * WEBSESS_ID_BYTES)

void websess_init(struct websess_table *t, uint64_t idle_ns)
{
	memset(t, 0, sizeof *t);
	t->idle_ns = idle_ns;
}

static void copy_label(char *dst, const char *src)
{
	size_t n = 0;

	while (src && n + 1 < WEBSESS_LABEL_MAX && src[n])
		n++;
	memcpy(dst, src ? src : "", n);
	dst[n] = '\0';
}

/* A fresh id, different from every live one (a collision of 256 random bits means a broken source). */
static int fresh_id(const struct websess_table *t, websess_random_fn rnd, void *ctx, uint8_t *id)
{
	int err = rnd(ctx, id, WEBSESS_ID_BYTES);

	if (err)
		return err;
	for (uint32_t i = 0; i < WEBSESS_MAX; i++)
		if (t->s[i].live && memcmp(t->s[i].id, id, WEBSESS_ID_BYTES) == 0)
			return -CAPOS_EIO;
	return 0;
}

int websess_create(struct websess_table *t, websess_random_fn rnd, void *ctx, uint64_t now_ns, const char *user,
		   const char *profile, uint64_t audit_id)
{
	struct websess *s = NULL;
	int err;

	for (uint32_t i = 0; i < WEBSESS_MAX && !s; i++)
		if (!t->s[i].live)
			s = &t->s[i];
	if (!s)
		return -CAPOS_EQUOTA;
	err = fresh_id(t, rnd, ctx, s->id);
	if (err) {
		ct_wipe(s->id, sizeof s->id);
		return err;
	}
	s->live = 1;
	s->created_ns = s->used_ns = now_ns;
	s->audit_id = audit_id;
	copy_label(s->user, user);
	copy_label(s->profile, profile);
	return (int)(s - t->s);
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* The value of cookie NAME in a Cookie header ("a=1; b=2"): its start and length, or NULL. */
static const char *cookie_value(const char *header, size_t *len)
{
	static const char name[] = WEBSESS_COOKIE "=";
	const char *p = header;

	while (p && *p) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, name, sizeof name - 1) == 0) {
			const char *v = p + sizeof name - 1;

			*len = strcspn(v, ";");
			return v;
		}
		p = strchr(p, ';');
		if (p)
			p++;
	}
	return NULL;
}

/* The id a cookie value spells (64 lower-case hex digits), or -CAPOS_ENOENT. */
static int parse_id(const char *v, size_t len, uint8_t *id)
{
	if (len != HEX_LEN)
		return -CAPOS_ENOENT;
	for (size_t i = 0; i < WEBSESS_ID_BYTES; i++) {
		int hi = hex_value(v[2 * i]), lo = hex_value(v[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -CAPOS_ENOENT;
		id[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

int websess_lookup(struct websess_table *t, const char *cookie, uint64_t now_ns, int *expired)
{
	uint8_t id[WEBSESS_ID_BYTES];
	uint32_t found = 0, slot = 0;
	size_t len = 0;
	const char *v = cookie_value(cookie, &len);

	*expired = -1;
	if (!v || parse_id(v, len, id))
		return -CAPOS_ENOENT;
	for (uint32_t i = 0; i < WEBSESS_MAX; i++) {   /* every slot, whatever matched: constant time */
		uint32_t hit = ct_equal(t->s[i].id, id, WEBSESS_ID_BYTES) & (uint32_t)(t->s[i].live != 0);

		slot |= i & (uint32_t)-hit;
		found |= hit;
	}
	ct_wipe(id, sizeof id);
	if (!found)
		return -CAPOS_ENOENT;
	if (now_ns - t->s[slot].used_ns > t->idle_ns) {
		*expired = (int)slot;
		return -CAPOS_ENOENT;
	}
	t->s[slot].used_ns = now_ns;
	return (int)slot;
}

void websess_end(struct websess_table *t, int slot)
{
	if (slot < 0 || (uint32_t)slot >= WEBSESS_MAX)
		return;
	ct_wipe(&t->s[slot], sizeof t->s[slot]);
}

int websess_next_idle(const struct websess_table *t, uint64_t now_ns)
{
	for (uint32_t i = 0; i < WEBSESS_MAX; i++)
		if (t->s[i].live && now_ns - t->s[i].used_ns > t->idle_ns)
			return (int)i;
	return -1;
}

size_t websess_set_cookie(const struct websess *s, int secure, char *buf, size_t size)
{
	char hex[HEX_LEN + 1];
	int n;

	for (size_t i = 0; i < WEBSESS_ID_BYTES; i++)
		snprintf(hex + 2 * i, 3, "%02x", s->id[i]);
	n = snprintf(buf, size, WEBSESS_COOKIE "=%s; HttpOnly; SameSite=Strict; Path=/%s", hex,
		     secure ? "; Secure" : "");
	ct_wipe(hex, sizeof hex);
	return n > 0 && (size_t)n < size ? (size_t)n : 0;
}

size_t websess_clear_cookie(int secure, char *buf, size_t size)
{
	int n = snprintf(buf, size, WEBSESS_COOKIE "=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0%s",
			 secure ? "; Secure" : "");

	return n > 0 && (size_t)n < size ? (size_t)n : 0;
}
