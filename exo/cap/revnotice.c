/*
 * Revocation notices: the abort protocol (docs/ipc.md, "Revocation
 * notices").  A holder of a revocable copy asks to be told before the
 * copy is revoked (CapSpace.watch_revoke, async); a revoker that wants it
 * back gives its holders a grace (Revoker.revoke_within(grace_ns), async).
 * Every watch on the copy, or on a copy derived from it, completes at
 * once with the deadline; the copy keeps working meanwhile, so a holder
 * can still flush what it wrote through it before it lets go.  The
 * revoke_within ends
 *   - when the copy is gone: every handle released, every derived copy,
 *     every operation and every mapping through it ended — everyone gave
 *     it back;
 *   - at the deadline (a kernel timer; the grace is at most 10 s, so a
 *     revoker cannot pin what it told anyone about for long);
 *   - when its revoker hurries it (Revoker.revoke takes the copy at once),
 *     CANCELs it, or its thread or process ends: the revocation proceeds
 *     at once, since the holders were told and may have given back.
 * Then, in the revoker's own thread (the kop's settle: when the completion
 * is posted, or when its ring is torn down), each holder that was told is
 * looked at: one that holds no handle leading through the copy and, for a
 * MemoryObject copy, maps nothing through it (revmap.c; or has ended)
 * gave it back; from every other one the copy is taken — cut as
 * Revoker.revoke cuts it, which unmaps everything mapped through it from
 * every space, so a later touch faults.  The revoke_within completes with
 * {given_back, taken}.  With
 * grace 0 nobody is told: pending watches end with -CAPOS_EREVOKED, their
 * holders count as taken, and the copy is cut at once, as by revoke.
 *
 * Why the revoker's thread does the taking: the deadline timer fires from
 * the tick with sched_lock held, where no capability table or address
 * space may be walked and no destroy may run; the revoker's settle runs
 * with no lock held, charged to the process that asked.  A revoker waiting
 * for its completion (capos_revoke_within) is woken at the deadline and
 * takes at once; one that does not enter its ring only delays its own
 * revocation.
 *
 * Costs.  A watch is one ring operation of its holder (the kop, in the
 * holder's kernel memory) holding a reference to the copy it watches, on
 * one machine-wide list [sched], bounded by every process's ring-operation
 * quota.  A revoke_within is one ring operation of the revoker plus the
 * list of holders it told (the revoker's kernel memory), each with a
 * reference to the process so the count survives a holder's death; all
 * of it goes in the settle, on every path.  The copy itself is not held:
 * a copy whose last handle and last mapping go during the grace ends the
 * revoke early.
 */
#include <capos/error.h>
#include <capos/iface.h>
#include "iface_kernel.h"
#include "kcall.h"
#include "revocable.h"
#include "../kern/clock.h"
#include "../lib/string.h"
#include "../mm/mm.h"
#include "../proc/aspace.h"
#include "../proc/process.h"
#include "../proc/sched.h"

#define REVOKE_GRACE_MAX_NS 10000000000ull  /* 10 s */

struct revoke_watch {
	struct kop k;                /* first: freeing the kop frees the watch */
	struct kobj *copy;           /* the revocable copy watched (the holder's slot object), one reference */
	struct revoke_watch *next;   /* [sched] the watch list */
	struct revoke_watch **prev;  /* [sched] NULL when off it */
};

struct told_holder {
	struct process *proc;        /* one reference */
	bool kept;                   /* still held the copy or its memory when the grace ended */
};

struct revoke_op {
	struct kop k;                /* first */
	struct ktimer deadline;
	uint64_t deadline_ns;
	struct revocable *copy;      /* [sched] no reference; NULL once gone or taken */
	struct told_holder *told;    /* [count] in the revoker's kernel memory */
	uint32_t count;
	bool counted;                /* the holders were judged and the copy cut (revoke_take ran) */
};

/* [sched] every pending watch, newest first. */
static struct revoke_watch *watches;

/* ---------------------------------------------------------------- watches */

static void watch_link_locked(struct revoke_watch *w)
{
	w->next = watches;
	if (watches)
		watches->prev = &w->next;
	w->prev = &watches;
	watches = w;
}

static void watch_unlink_locked(struct revoke_watch *w)
{
	if (!w->prev)
		return;
	*w->prev = w->next;
	if (w->next)
		w->next->prev = w->prev;
	w->next = NULL;
	w->prev = NULL;
}

static void watch_cancel(struct kop *k)
{
	watch_unlink_locked((struct revoke_watch *)k);
}

/* The holder's context, no lock held: the kop is being freed. */
static void watch_settle(struct kop *k)
{
	struct revoke_watch *w = (struct revoke_watch *)k;

	if (w->copy)
		kobj_unref(w->copy);
	w->copy = NULL;
}

/* Tell w's holder: revocation has begun, the copy is taken at deadline_ns. */
static void watch_notify_locked(struct revoke_watch *w, uint64_t deadline_ns)
{
	struct capos_cap_space_watch_revoke_out res = { .deadline_ns = deadline_ns };

	watch_unlink_locked(w);
	memcpy(w->k.out, &res, sizeof res);
	w->k.out_len = sizeof res;
	kop_finish_locked(&w->k, 0);
}

static bool watched_locked(const struct process *p, const struct kobj *copy)
{
	for (struct revoke_watch *w = watches; w; w = w->next)
		if (w->k.ring->proc == p && w->copy == copy)
			return true;
	return false;
}

/* The deadline of a revoke_within in its grace on o's chain of copies, or 0. */
static uint64_t revoking_deadline_locked(struct kobj *o)
{
	for (uint32_t hops = 0; o && o->kind == KOBJ_FORWARD && hops < KOBJ_FORWARD_DEPTH; hops++) {
		struct revocable *r = KOBJ_CONTAINER(o, struct revocable, base);

		if (r->pending)
			return r->pending->deadline_ns;
		o = r->target;
	}
	return 0;
}

void revnotice_cut_locked(void)
{
	struct revoke_watch *w = watches;

	while (w) {
		struct revoke_watch *next = w->next;
		int err;

		if (!kobj_resolve(w->copy, &err)) {
			watch_unlink_locked(w);
			kop_finish_locked(&w->k, -CAPOS_EREVOKED);
		}
		w = next;
	}
}

/*
 * Complete when revocation of the copy cap names begins (a revoke_within
 * on it or on a copy it was derived from): at once, with the deadline,
 * when one is already in its grace.
 */
int kcap_cap_space_watch_revoke(struct kcall *call, const struct capos_cap_space_watch_revoke_in *in,
				uint32_t in_len, struct capos_cap_space_watch_revoke_out *out, uint32_t *out_len)
{
	struct cap_slot *slot;
	struct revoke_watch *w;
	uint64_t flags, deadline;
	int err = cap_lookup(process_caps(call->proc), in->cap, 0, &slot);

	(void)in_len;
	*out_len = 0;
	if (err)
		return err;
	if (((struct kobj *)slot->object)->kind != KOBJ_FORWARD)
		return -CAPOS_EINVAL;  /* not a revocable copy: nothing will ever revoke it */
	if (!kobj_resolve(slot->object, &err))
		return err;
	if (call->sqe->result_len < sizeof *out)
		return -CAPOS_ERANGE;
	flags = sched_lock_irqsave();
	err = watched_locked(call->proc, slot->object) ? -CAPOS_EBUSY : 0;
	deadline = revoking_deadline_locked(slot->object);
	sched_unlock_irqrestore(flags);
	if (err)
		return err;
	if (deadline) {
		out->deadline_ns = deadline;
		*out_len = sizeof *out;
		return 0;
	}
	w = (struct revoke_watch *)kcall_defer(call, sizeof *w);
	if (!w)
		return -CAPOS_EQUOTA;
	w->k.cancel = watch_cancel;
	w->k.settle = watch_settle;
	w->copy = kobj_ref(slot->object);
	flags = sched_lock_irqsave();
	watch_link_locked(w);
	sched_unlock_irqrestore(flags);
	return KCALL_PENDING;
}

/* -------------------------------------------------------- judging holders */

/* A live or reserved slot of p leads through copy.  p->lock and sched_lock held. */
static bool holds_through_locked(struct process *p, const struct revocable *copy)
{
	for (uint32_t i = 1; p->cap_slots && i < p->caps.capacity; i++) {
		const struct cap_slot *s = &p->cap_slots[i];

		if ((s->state == CAP_SLOT_LIVE || s->state == CAP_SLOT_RESERVED) && s->object &&
		    revocable_leads_through_locked(s->object, copy))
			return true;
	}
	return false;
}

/*
 * Does p still hold copy: a handle through it, or memory mapped through
 * it (revmap.c)?  An ended holder holds nothing; a copy already gone
 * (NULL) is held by nobody — a mapping through it would have kept it.
 */
static bool holder_keeps(struct process *p, const struct revocable *copy)
{
	uint64_t flags = spin_lock_irqsave(&p->lock);
	bool live = p->state == PROC_LIVE;
	bool held = false;

	if (live && copy) {
		uint64_t sflags = sched_lock_irqsave();

		held = holds_through_locked(p, copy);
		sched_unlock_irqrestore(sflags);
	}
	spin_unlock_irqrestore(&p->lock, flags);
	/* One CPU, no preemption in kernel mode: p stays live until we return. */
	if (live && !held && copy)
		held = revmap_maps_through(process_aspace(p), copy);
	return held;
}

/* --------------------------------------------------------- revoke_within */

static void revoke_release(struct revoke_op *op)
{
	struct quota *payer = process_quota(op->k.ring->proc);

	for (uint32_t i = 0; i < op->count; i++)
		process_unref(op->told[i].proc);
	if (op->told)
		kmem_free(payer, op->told);
	op->told = NULL;
	op->count = 0;
}

/*
 * The grace is over: judge every holder told, cut the copy (unless it is
 * gone already: the cut unmaps what anyone mapped through it), and
 * release what the operation held.  No lock held; runs once.
 */
static void revoke_take(struct revoke_op *op, struct capos_revoker_revoke_within_out *res)
{
	uint64_t flags = sched_lock_irqsave();
	struct revocable *copy = op->copy;

	if (copy) {
		copy->pending = NULL;
		if (!kobj_tryref(&copy->base))
			copy = NULL;  /* its destroy is queued: nothing left to cut */
	}
	op->copy = NULL;
	op->counted = true;
	sched_unlock_irqrestore(flags);
	memset(res, 0, sizeof *res);
	for (uint32_t i = 0; i < op->count; i++)
		op->told[i].kept = holder_keeps(op->told[i].proc, copy);
	if (copy) {
		revocable_cut(copy);
		kobj_unref(&copy->base);
	}
	for (uint32_t i = 0; i < op->count; i++) {
		if (op->told[i].kept)
			res->taken++;
		else
			res->given_back++;
	}
	revoke_release(op);
}

static void revoke_store(struct revoke_op *op, const struct capos_revoker_revoke_within_out *res)
{
	memcpy(op->k.out, res, sizeof *res);
	op->k.out_len = sizeof *res;
}

/* The revoker's context, no lock held: the completion is posted, or its ring is torn down. */
static void revoke_settle(struct kop *k)
{
	struct revoke_op *op = (struct revoke_op *)k;
	struct capos_revoker_revoke_within_out res;

	if (op->counted)
		return;
	revoke_take(op, &res);
	revoke_store(op, &res);
}

static void revoke_cancel(struct kop *k)
{
	ktimer_cancel_locked(&((struct revoke_op *)k)->deadline);
}

static void revoke_deadline_fired(struct ktimer *t)
{
	struct revoke_op *op = (struct revoke_op *)((char *)t - __builtin_offsetof(struct revoke_op, deadline));

	kop_finish_locked(&op->k, 0);
}

void revnotice_copy_gone_locked(struct revocable *copy)
{
	struct revoke_op *op = copy->pending;

	copy->pending = NULL;
	op->copy = NULL;
	ktimer_cancel_locked(&op->deadline);
	kop_finish_locked(&op->k, 0);
}

void revnotice_hurry(struct revocable *copy)
{
	uint64_t flags = sched_lock_irqsave();
	struct revoke_op *op = copy->pending;
	struct capos_revoker_revoke_within_out res;

	sched_unlock_irqrestore(flags);
	if (!op)
		return;
	revoke_take(op, &res);
	revoke_store(op, &res);
	flags = sched_lock_irqsave();
	ktimer_cancel_locked(&op->deadline);
	kop_finish_locked(&op->k, 0);
	sched_unlock_irqrestore(flags);
}

/* Watches on copy or on copies derived from it (at least the holders to tell).  sched_lock held. */
static uint32_t count_watches_locked(const struct revocable *copy)
{
	uint32_t n = 0;

	for (struct revoke_watch *w = watches; w; w = w->next)
		if (revocable_leads_through_locked(w->copy, copy))
			n++;
	return n;
}

static bool told_already(const struct revoke_op *op, const struct process *p)
{
	for (uint32_t i = 0; i < op->count; i++)
		if (op->told[i].proc == p)
			return true;
	return false;
}

/*
 * Begin: record the holders of every watch on copy (or a copy derived
 * from it) and end those watches — with the deadline, or with
 * -CAPOS_EREVOKED when there is no grace.  sched_lock held.
 */
static void revoke_begin_locked(struct revoke_op *op, struct revocable *copy, uint64_t grace_ns)
{
	struct revoke_watch *w = watches;

	op->copy = copy;
	copy->pending = op;
	while (w) {
		struct revoke_watch *next = w->next;
		struct process *p = w->k.ring->proc;

		if (revocable_leads_through_locked(w->copy, copy)) {
			if (!told_already(op, p)) {
				process_ref(p);
				op->told[op->count++].proc = p;
			}
			if (grace_ns)
				watch_notify_locked(w, op->deadline_ns);
			else {
				watch_unlink_locked(w);
				kop_finish_locked(&w->k, -CAPOS_EREVOKED);
			}
		}
		w = next;
	}
	if (grace_ns)
		ktimer_arm_locked(&op->deadline, op->deadline_ns);
	else
		kop_finish_locked(&op->k, 0);  /* taken in the settle, before this cap_enter returns */
}

int kcap_revoker_revoke_within(struct kcall *call, const struct capos_revoker_revoke_within_in *in,
			       uint32_t in_len, struct capos_revoker_revoke_within_out *out, uint32_t *out_len)
{
	struct revocable *copy;
	struct revoke_op *op;
	struct told_holder *told = NULL;
	uint64_t flags;
	uint32_t n = 0;
	bool revoked = true;
	int err = 0;

	(void)in_len;
	*out_len = 0;
	if (in->grace_ns > REVOKE_GRACE_MAX_NS || call->sqe->result_len < sizeof *out)
		return -CAPOS_ERANGE;
	copy = revoker_copy_ref(call->obj);
	if (copy) {
		flags = sched_lock_irqsave();
		revoked = !kobj_resolve(&copy->base, &err);  /* cut here or above: nobody can use it any more */
		err = copy->pending ? -CAPOS_EBUSY : 0;
		n = count_watches_locked(copy);
		sched_unlock_irqrestore(flags);
	}
	if (revoked || err) {
		if (copy)
			kobj_unref(&copy->base);
		if (!err) {  /* gone or revoked already: done, nobody to tell or count */
			out->given_back = 0;
			out->taken = 0;
			*out_len = sizeof *out;
		}
		return err;
	}
	if (n && !(told = kmem_zalloc(process_quota(call->proc), n * sizeof *told, &err))) {
		kobj_unref(&copy->base);
		return err;
	}
	op = (struct revoke_op *)kcall_defer(call, sizeof *op);
	if (!op) {
		if (told)
			kmem_free(process_quota(call->proc), told);
		kobj_unref(&copy->base);
		return -CAPOS_EQUOTA;
	}
	op->k.cancel = revoke_cancel;
	op->k.settle = revoke_settle;
	op->deadline.fire = revoke_deadline_fired;
	op->told = told;
	op->deadline_ns = clock_ns() + in->grace_ns;
	/* What the checks saw still holds: one CPU, no preemption in kernel mode. */
	flags = sched_lock_irqsave();
	revoke_begin_locked(op, copy, in->grace_ns);
	sched_unlock_irqrestore(flags);
	kobj_unref(&copy->base);
	return KCALL_PENDING;
}
