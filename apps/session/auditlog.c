/*
 * AuditWriter.append from C (auditlog.h).
 */
#include <stdarg.h>
#include <string.h>
#include <capos/rt.h>
#include <capos/services.h>
#include "auditlog.h"

static uint32_t log_cap;
static const char *log_program = "audit";

void auditlog_open(const char *program, const char *name)
{
	log_program = program;
	log_cap = capos_cap_find(name, NULL);
}

static void copy_field(char *dst, size_t size, const char *src)
{
	size_t n = src ? strlen(src) : 0;

	if (n >= size)
		n = size - 1;
	memset(dst, 0, size);
	if (n)
		memcpy(dst, src, n);
}

uint64_t auditlog_write(const char *event, uint64_t audit_id, const char *user, const char *fmt, ...)
{
	struct capos_audit_writer_append_in in;
	struct capos_audit_writer_append_out out = { 0 };
	va_list ap;
	int err;

	memset(&in, 0, sizeof in);
	copy_field(in.event, sizeof in.event, event);
	copy_field(in.user, sizeof in.user, user);
	in.audit_id = audit_id;
	va_start(ap, fmt);
	capos_vsnprintf(in.detail, sizeof in.detail, fmt, ap);
	va_end(ap);
	err = log_cap ? capos_audit_writer_append(capos_ring(), log_cap, &in, &out) : -CAPOS_ENOENT;
	if (err) {
		capos_printf("%s: audit %s session=%llu user=%s not written: %s\n", log_program, event,
			     (unsigned long long)audit_id, user && *user ? user : "-",
			     err == CAPOS_STATUS_APP_ERROR ? "refused" : capos_strerror(err));
		return 0;
	}
	return out.seq;
}
