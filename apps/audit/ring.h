/*
 * The audit log's memory: a bounded ring of records (capos/audit.h).  The
 * oldest record goes when the ring is full, and `dropped` counts them.
 * Pure logic with no capOS calls, built for the audit service and for the
 * host tests (tests/host/session/test_audit_ring.c).
 *
 * Text from writers is taken as untrusted: each field is cut at its
 * bound (one byte kept for the NUL) and every byte outside printable
 * ASCII becomes '?', so a record always prints as one line and cannot
 * forge another.
 */
#ifndef AUDIT_RING_H
#define AUDIT_RING_H

#include <stddef.h>
#include <stdint.h>
#include <capos/audit.h>

#define AUDIT_RING_RECORDS 256u

struct audit_ring {
	struct capos_audit_record rec[AUDIT_RING_RECORDS];  /* seq s lives at (s - 1) % RECORDS */
	uint64_t next_seq;   /* the seq the next record gets; 1 for an empty log */
	uint64_t dropped;    /* records overwritten since the log started */
};

/* What a writer hands in; the text fields need not hold a NUL. */
struct audit_entry {
	const char *event;   /* CAPOS_AUDIT_EVENT_MAX bytes at most are read */
	uint64_t audit_id;
	const char *user;    /* CAPOS_AUDIT_USER_MAX */
	const char *detail;  /* CAPOS_AUDIT_DETAIL_MAX */
};

void audit_ring_init(struct audit_ring *r);

/* Append e with the given time and writer reference; returns its seq. */
uint64_t audit_ring_append(struct audit_ring *r, const struct audit_entry *e, uint64_t time_ns,
			   uint64_t writer);

/* The record with seq, or NULL when it is not (or no longer) in the ring. */
const struct capos_audit_record *audit_ring_get(const struct audit_ring *r, uint64_t seq);

/*
 * Copy up to max records with seq > after_seq, oldest first, into out;
 * *more (optional) is 1 when records past the last copied remain.
 * Returns the count copied.
 */
uint32_t audit_ring_read(const struct audit_ring *r, uint64_t after_seq,
			 struct capos_audit_record *out, uint32_t max, uint32_t *more);

/*
 * The console line for rec, "audit: #SEQ EVENT session=ID user=NAME DETAIL"
 * with a newline ("user=-" when there is no user), cut to fit size.
 * Returns the length written (without the NUL).
 */
size_t audit_format(const struct capos_audit_record *rec, char *buf, size_t size);

#endif
