/*
 * ProcessInfo (docs/sessions.md): which processes exist.  Two singletons
 * differ only in scope: "procs" lists every process, "session-procs" only
 * those in the caller's own session (the same struct session), so a
 * session's shell can see its own work and nothing of anybody else's.
 *
 * list(after_pid) answers one batch: up to CAPOS_PROCINFO_BATCH entries
 * with pid > after_pid in pid order, as many as the result buffer holds,
 * and whether more follow.  A caller pages through every process by
 * passing the last pid it saw.  The entries are filled from
 * process_visit, under the process-list lock, straight into the kernel's
 * result buffer; they reach the caller after the lock is dropped.
 */
#include <stdbool.h>
#include <capos/error.h>
#include <capos/iface.h>
#include <capos/session.h>
#include "obj_procinfo.h"
#include "obj_session.h"
#include "iface_kernel.h"
#include "kcall.h"
#include "../lib/string.h"
#include "../proc/process.h"

static struct kobj procinfo_all_obj = KOBJ_STATIC(CAPOS_IFACE_PROCESS_INFO);
static struct kobj procinfo_session_obj = KOBJ_STATIC(CAPOS_IFACE_PROCESS_INFO);

struct kobj *procinfo_all(void)
{
	return &procinfo_all_obj;
}

struct kobj *procinfo_session(void)
{
	return &procinfo_session_obj;
}

/* One listing under way: what to include, where entries go, how far it got. */
struct procinfo_batch {
	const struct session *only;   /* NULL: every process */
	uint8_t *entries;             /* room for max entries */
	uint32_t max;
	uint32_t count;
	bool more;
};

/* p's entry, from fields read under p->lock (process_visit). */
static void procinfo_fill(struct process *p, struct capos_procinfo_entry *e)
{
	size_t n = 0;

	memset(e, 0, sizeof *e);
	e->pid = p->pid;
	e->state = p->state == PROC_LIVE ? CAPOS_PROCINFO_LIVE : CAPOS_PROCINFO_DYING;
	e->threads = p->live_threads;
	e->caps = p->caps.live;
	e->frames = quota_frames_used(p->q);
	e->kmem = quota_kmem_used(p->q);
	e->session = session_audit_id(p->session);
	while (n + 1 < sizeof e->name && n < sizeof p->name && p->name[n]) {
		e->name[n] = p->name[n];
		n++;
	}
}

static bool procinfo_visit(struct process *p, void *ctx)
{
	struct procinfo_batch *b = ctx;
	struct capos_procinfo_entry e;

	if (b->only && p->session != b->only)
		return true;
	if (b->count == b->max) {
		b->more = true;
		return false;
	}
	procinfo_fill(p, &e);
	memcpy(b->entries + b->count * sizeof e, &e, sizeof e);
	b->count++;
	return true;
}

/*
 * The result buffer must hold the header and at least one entry
 * (-CAPOS_ERANGE otherwise); a smaller one than a full batch just gets
 * fewer entries per call.
 */
int kcap_process_info_list(struct kcall *call, const struct capos_process_info_list_in *in,
			   uint32_t in_len, struct capos_process_info_list_out *out, uint32_t *out_len)
{
	const uint32_t head = __builtin_offsetof(struct capos_process_info_list_out, entries);
	struct procinfo_batch b = { .entries = out->entries };
	uint32_t room;

	(void)in_len;
	if (*out_len < head + sizeof(struct capos_procinfo_entry))
		return -CAPOS_ERANGE;
	room = (*out_len - head) / sizeof(struct capos_procinfo_entry);
	b.max = room < CAPOS_PROCINFO_BATCH ? room : CAPOS_PROCINFO_BATCH;
	if (call->obj == &procinfo_session_obj)
		b.only = call->proc->session;
	process_visit(in->after_pid, procinfo_visit, &b);
	out->count = b.count;
	out->more = b.more;
	*out_len = head + b.count * (uint32_t)sizeof(struct capos_procinfo_entry);
	return 0;
}
