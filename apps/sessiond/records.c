/*
 * sessiond's session records (records.h): a bounded table searched by
 * audit id.  Audit ids come from a counter and are never reused, so a
 * UserSession whose entry was taken by a newer session finds nothing
 * rather than somebody else's record.
 */
#include <string.h>
#include <capos/error.h>
#include "records.h"
#include "../session/label.h"

void records_init(struct session_records *t)
{
	memset(t, 0, sizeof *t);
	t->next_audit_id = CAPOS_SESSION_SYSTEM_AUDIT_ID + 1;
}

static int label_valid(const char *l)
{
	size_t n = strnlen(l, CAPOS_SESSION_LABEL_MAX);

	return n < CAPOS_SESSION_LABEL_MAX && session_label_ok(l, n);
}

/* A free entry, else the one that ended longest ago; NULL when every entry is live. */
static struct session_record *take_entry(struct session_records *t)
{
	struct session_record *pick = NULL;

	for (size_t i = 0; i < RECORDS_MAX; i++) {
		struct session_record *r = &t->r[i];

		if (!r->audit_id)
			return r;
		if (r->state != CAPOS_SESSION_LIVE && (!pick || r->ended_ns < pick->ended_ns))
			pick = r;
	}
	return pick;
}

struct session_record *records_new(struct session_records *t, const char *user, const char *profile,
				   uint64_t now, uint64_t lifetime_ns, int *err)
{
	struct session_record *r;

	if (!label_valid(user) || !label_valid(profile)) {
		*err = -CAPOS_EINVAL;
		return NULL;
	}
	if (lifetime_ns > RECORDS_LIFETIME_MAX_NS) {
		*err = -CAPOS_ERANGE;
		return NULL;
	}
	r = take_entry(t);
	if (!r) {
		*err = -CAPOS_EQUOTA;
		return NULL;
	}
	memset(r, 0, sizeof *r);
	r->audit_id = t->next_audit_id++;
	memcpy(r->user, user, strlen(user));
	memcpy(r->profile, profile, strlen(profile));
	r->created_ns = now;
	r->expires_ns = lifetime_ns ? now + lifetime_ns : 0;
	r->state = CAPOS_SESSION_LIVE;
	*err = 0;
	return r;
}

struct session_record *records_find(struct session_records *t, uint64_t audit_id)
{
	if (!audit_id)
		return NULL;
	for (size_t i = 0; i < RECORDS_MAX; i++)
		if (t->r[i].audit_id == audit_id)
			return &t->r[i];
	return NULL;
}

int records_end(struct session_record *r, uint32_t state, uint64_t now)
{
	if (r->state != CAPOS_SESSION_LIVE)
		return -CAPOS_ESESSION;
	r->state = state;
	r->ended_ns = now;
	return 0;
}

struct session_record *records_due(struct session_records *t, uint64_t now)
{
	for (size_t i = 0; i < RECORDS_MAX; i++) {
		struct session_record *r = &t->r[i];

		if (r->audit_id && r->state == CAPOS_SESSION_LIVE && r->expires_ns && r->expires_ns <= now)
			return r;
	}
	return NULL;
}

uint64_t records_next_expiry(const struct session_records *t)
{
	uint64_t next = 0;

	for (size_t i = 0; i < RECORDS_MAX; i++) {
		const struct session_record *r = &t->r[i];

		if (r->audit_id && r->state == CAPOS_SESSION_LIVE && r->expires_ns && (!next || r->expires_ns < next))
			next = r->expires_ns;
	}
	return next;
}
