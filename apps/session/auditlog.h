/*
 * Writing to the audit log (apps/audit) through an AuditWriter client
 * capability, for sessiond and the broker.  A failing write is reported on
 * the console (with the event, so nothing is lost silently) and does not
 * stop the caller: the services keep working when the log is gone.
 */
#ifndef SESSION_AUDITLOG_H
#define SESSION_AUDITLOG_H

#include <stdint.h>

/* Use the capability granted under name (0 when absent: every write is reported as failing). */
void auditlog_open(const char *program, const char *name);

/* Append one record; detail is printf-style.  The record's seq, or 0 when the write failed. */
uint64_t auditlog_write(const char *event, uint64_t audit_id, const char *user, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
