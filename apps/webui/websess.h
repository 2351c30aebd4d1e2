/*
 * Browser sessions of the Web UI: a server-side record per logged-in
 * browser, named by a random 256-bit id that travels only in a cookie
 * (`capos_session`, 64 hex digits; HttpOnly, SameSite=Strict, Path=/, and
 * Secure when the origin is https).  The record holds what the server acts
 * with for that browser (the user session's labels and audit id; the
 * caller keeps the capabilities beside it, by slot index).
 *
 * Invariants: ids come from the entropy source the caller passes and are
 * never reused; looking one up compares it against every live slot in
 * constant time, so the clock says nothing about how much of a guessed id
 * matched; a record idle longer than the configured time is ended at the
 * next lookup or sweep, never used again; the table is bounded
 * (WEBSESS_MAX) and a login finding it full is refused, never evicting a
 * live session.  Pure: the caller passes the clock.
 */
#ifndef WEBUI_WEBSESS_H
#define WEBUI_WEBSESS_H

#include <stddef.h>
#include <stdint.h>

#define WEBSESS_MAX 32u
#define WEBSESS_ID_BYTES 32u
#define WEBSESS_COOKIE "capos_session"
#define WEBSESS_LABEL_MAX 32u

struct websess {
	int live;
	uint8_t id[WEBSESS_ID_BYTES];
	uint64_t created_ns, used_ns;
	uint64_t audit_id;
	char user[WEBSESS_LABEL_MAX], profile[WEBSESS_LABEL_MAX];
};

struct websess_table {
	struct websess s[WEBSESS_MAX];
	uint64_t idle_ns;            /* a session unused this long ends */
};

/* Fill buf with len random bytes: 0, or a negative code. */
typedef int (*websess_random_fn)(void *ctx, void *buf, size_t len);

void websess_init(struct websess_table *t, uint64_t idle_ns);

/* A new live record: its slot index, -CAPOS_EQUOTA when every slot is live, or the random source's error. */
int websess_create(struct websess_table *t, websess_random_fn rnd, void *ctx, uint64_t now_ns, const char *user,
		   const char *profile, uint64_t audit_id);

/*
 * The slot of the live session the request's Cookie header names
 * (cookie: the header's value, NULL when absent), its use recorded at
 * now_ns; -CAPOS_ENOENT for a missing, malformed, unknown or ended id.
 * An idle one found here is ended first (*expired set to its slot, else -1),
 * so the caller can release what it held.
 */
int websess_lookup(struct websess_table *t, const char *cookie, uint64_t now_ns, int *expired);

/* End slot's session: the record is wiped. */
void websess_end(struct websess_table *t, int slot);

/* The next live session idle past the limit at now_ns (its slot), or -1: the caller ends each. */
int websess_next_idle(const struct websess_table *t, uint64_t now_ns);

/* Set-Cookie values: the session's (secure: add Secure) and the one that clears it; their length, or 0 when buf is too small. */
size_t websess_set_cookie(const struct websess *s, int secure, char *buf, size_t size);
size_t websess_clear_cookie(int secure, char *buf, size_t size);

#endif
