/*
 * The audit log's record (apps/audit; docs/sessions.md): what
 * AuditReader.read returns, `count` of them back to back in its records
 * field.  The log service stamps seq, time_ns and writer; the writer
 * gives event, audit_id, user and detail (AuditWriter.append).  Text
 * fields are NUL-padded and always hold a NUL.
 */
#ifndef CAPOS_AUDIT_H
#define CAPOS_AUDIT_H

#include <stdint.h>

#define CAPOS_AUDIT_EVENT_MAX 16u
#define CAPOS_AUDIT_USER_MAX 32u
#define CAPOS_AUDIT_DETAIL_MAX 96u

struct capos_audit_record {
	uint64_t seq;          /* 1, 2, ... since the log started; never reused */
	uint64_t time_ns;      /* capos_time_ns when the record was appended */
	uint64_t audit_id;     /* the session the event is about (0: none) */
	uint64_t writer;       /* the badge of the writer's "log" client (which import wrote it) */
	char event[CAPOS_AUDIT_EVENT_MAX];
	char user[CAPOS_AUDIT_USER_MAX];
	char detail[CAPOS_AUDIT_DETAIL_MAX];
};
_Static_assert(sizeof(struct capos_audit_record) == 176, "capos_audit_record layout");
_Static_assert(__builtin_offsetof(struct capos_audit_record, event) == 32, "capos_audit_record layout");

/* Records one AuditReader.read answers at most (its records field is 1536 bytes). */
#define CAPOS_AUDIT_READ_BATCH 8u
_Static_assert(CAPOS_AUDIT_READ_BATCH * sizeof(struct capos_audit_record) <= 1536, "fits AuditReader.read");

#endif
