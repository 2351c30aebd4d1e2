/*
 * The audit ring (ring.h): append overwrites the oldest record once
 * AUDIT_RING_RECORDS are held; read pages forward by sequence number.
 */
#include <stdio.h>
#include <string.h>
#include "ring.h"

void audit_ring_init(struct audit_ring *r)
{
	memset(r, 0, sizeof *r);
	r->next_seq = 1;
}

/* Copy at most size - 1 bytes of src (stopping at a NUL), printable only; zero the rest. */
static void copy_text(char *dst, const char *src, size_t size)
{
	size_t i = 0;

	memset(dst, 0, size);
	if (!src)
		return;
	for (; i + 1 < size && src[i]; i++) {
		unsigned char ch = (unsigned char)src[i];

		dst[i] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
	}
}

uint64_t audit_ring_append(struct audit_ring *r, const struct audit_entry *e, uint64_t time_ns,
			   uint64_t writer)
{
	uint64_t seq = r->next_seq++;
	struct capos_audit_record *rec = &r->rec[(seq - 1) % AUDIT_RING_RECORDS];

	if (seq > AUDIT_RING_RECORDS)
		r->dropped++;
	rec->seq = seq;
	rec->time_ns = time_ns;
	rec->audit_id = e->audit_id;
	rec->writer = writer;
	copy_text(rec->event, e->event, sizeof rec->event);
	copy_text(rec->user, e->user, sizeof rec->user);
	copy_text(rec->detail, e->detail, sizeof rec->detail);
	return seq;
}

static uint64_t oldest_seq(const struct audit_ring *r)
{
	return r->next_seq > AUDIT_RING_RECORDS ? r->next_seq - AUDIT_RING_RECORDS : 1;
}

const struct capos_audit_record *audit_ring_get(const struct audit_ring *r, uint64_t seq)
{
	if (seq < oldest_seq(r) || seq >= r->next_seq)
		return NULL;
	return &r->rec[(seq - 1) % AUDIT_RING_RECORDS];
}

uint32_t audit_ring_read(const struct audit_ring *r, uint64_t after_seq,
			 struct capos_audit_record *out, uint32_t max, uint32_t *more)
{
	uint64_t seq = oldest_seq(r);
	uint32_t n = 0;

	if (after_seq >= r->next_seq - 1)
		seq = r->next_seq;        /* nothing after it */
	else if (after_seq >= seq)
		seq = after_seq + 1;
	for (; seq < r->next_seq && n < max; seq++, n++)
		out[n] = *audit_ring_get(r, seq);
	if (more)
		*more = seq < r->next_seq;
	return n;
}

size_t audit_format(const struct capos_audit_record *rec, char *buf, size_t size)
{
	int n;

	if (!size)
		return 0;
	n = snprintf(buf, size, "audit: #%llu %s session=%llu user=%s%s%s\n",
		     (unsigned long long)rec->seq, rec->event[0] ? rec->event : "-",
		     (unsigned long long)rec->audit_id, rec->user[0] ? rec->user : "-",
		     rec->detail[0] ? " " : "", rec->detail);
	if (n < 0) {
		buf[0] = 0;
		return 0;
	}
	if ((size_t)n >= size) {    /* cut: keep the line ending */
		if (size >= 2)
			buf[size - 2] = '\n';
		return size - 1;
	}
	return (size_t)n;
}
