/*
 * sessiond's session records (docs/sessions.md): what a session is now
 * that the kernel keeps none.  A record holds the user and profile labels,
 * the audit id (a serial number from 2: 1 is the system session, which
 * has no record), when it was created and when it expires, and its state.
 * A session ends once, by logout or expiry, and never lives again.  The
 * table is bounded: a new session takes a free entry or the one that ended
 * longest ago; when every entry is live, none is made.  Pure (no capOS
 * call), host-tested in tests/host/session/test_records.c.
 */
#ifndef SESSIOND_RECORDS_H
#define SESSIOND_RECORDS_H

#include <stddef.h>
#include <stdint.h>
#include <capos/session.h>

#define RECORDS_MAX 64
#define RECORDS_LIFETIME_MAX_NS (365ull * 24 * 3600 * 1000000000ull)  /* one year */

struct session_record {
	uint64_t audit_id;              /* 0: a free entry */
	char user[CAPOS_SESSION_LABEL_MAX];
	char profile[CAPOS_SESSION_LABEL_MAX];
	uint64_t created_ns;
	uint64_t expires_ns;            /* 0: never */
	uint64_t ended_ns;              /* when it ended (state not LIVE) */
	uint32_t state;                 /* CAPOS_SESSION_* */
};

struct session_records {
	struct session_record r[RECORDS_MAX];
	uint64_t next_audit_id;
};

void records_init(struct session_records *t);

/*
 * A new live session of user and profile (valid labels), created at now,
 * expiring lifetime_ns later (0: never).  NULL with -CAPOS_EINVAL (a bad
 * label), -CAPOS_ERANGE (lifetime over a year) or -CAPOS_EQUOTA (every
 * entry live) in *err.
 */
struct session_record *records_new(struct session_records *t, const char *user, const char *profile,
				   uint64_t now, uint64_t lifetime_ns, int *err);

/* The record of audit_id, or NULL (never made, or its entry reused). */
struct session_record *records_find(struct session_records *t, uint64_t audit_id);

/* End r with state (LOGGED_OUT or EXPIRED) at now: 0, or -CAPOS_ESESSION when it has ended already. */
int records_end(struct session_record *r, uint32_t state, uint64_t now);

/* A live record whose expiry is at or before now, or NULL: the next one to end as EXPIRED. */
struct session_record *records_due(struct session_records *t, uint64_t now);

/* The earliest expiry of a live record, 0 when none expires. */
uint64_t records_next_expiry(const struct session_records *t);

#endif
