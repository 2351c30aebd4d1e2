/*
 * ParkSpace: sleeping on a 32-bit word of ONE process's memory (the
 * process the object was made for, parkspace_create) and waking the
 * sleepers — the kernel half of user-space mutexes and condition
 * variables.  Waits and wakes meet only through the same ParkSpace object
 * (copies of one capability share it); the key is the user address.
 *
 * wait(addr, expected, timeout_ns) completes through the ring:
 *   - the word at addr differs from expected: at once, -CAPOS_EAGAIN;
 *   - timeout_ns 0: the word matches, so at once, -CAPOS_ETIMEDOUT (a
 *     poll, like cap_enter and Timer.sleep with 0);
 *   - otherwise the operation is parked until a wake (status 0,
 *     out.woken = 1), the timeout (-CAPOS_ETIMEDOUT), a CANCEL
 *     (-CAPOS_ECANCELED), or the ParkSpace object being destroyed
 *     (-CAPOS_ECANCELED).  CAPOS_TIMEOUT_INFINITE, or any timeout whose
 *     deadline would overflow, means no timeout.  Timeouts fire from the
 *     scheduler tick, so their resolution is one tick.
 *   Errors before parking: -CAPOS_EINVAL addr not 4-byte aligned;
 *   -CAPOS_EFAULT the word is not readable user memory; -CAPOS_EPEER the
 *   bound process is dying or dead; -CAPOS_EQUOTA no ring operation left.
 * wake(addr, count) completes up to count waiters on addr, oldest first,
 *   and returns out.woken, the number woken (count 0 wakes none).  It
 *   touches only the kernel's wait list, never the bound process's
 *   memory, so it still works after that process died (other holders may
 *   be parked on shared memory of it).  -CAPOS_EINVAL addr not 4-byte
 *   aligned; -CAPOS_EFAULT addr outside the user window.
 *
 * Lost wake-ups.  The word is read without sched_lock held.  Nesting the
 * address-space lock inside sched_lock would not deadlock today (no path
 * takes sched_lock while holding an aspace lock: aspace*.c, uaccess.c and
 * memobj.c call only the allocators), but sched.h allows only allocator
 * locks under sched_lock, and the global lock would be held over a page
 * walk.  Instead a first read decides EAGAIN with no side effects; then
 * the operation is queued under sched_lock and the word is read AGAIN.
 * A waker changes the word before its wake takes sched_lock, so either
 * the wake finds the queued waiter, or the second read (after our lock
 * acquisition, a full barrier) sees the new value and the waiter
 * completes with -CAPOS_EAGAIN through the ring in the same cap_enter —
 * exactly as if the first read had seen it.
 *
 * Locks and lifetime: the wait list, each waiter's timer and its
 * completion are guarded by sched_lock, which timers and k->cancel
 * (CANCEL, ring_destroy) already hold.  A queued waiter is always a
 * pending kop of its ring, and is unlinked (timer disarmed) before it is
 * finished by any path, so ring_destroy's cancel only meets queued
 * waiters.  The object's destroy takes sched_lock: the last reference
 * must not be dropped with sched_lock held.  Reading the bound process's
 * memory relies on what obj_vm.c describes (no preemption in kernel mode,
 * one CPU).
 */
#include <capos/error.h>
#include <capos/iface.h>
#include <capos/prot.h>
#include <capos/ring.h>
#include "iface_kernel.h"
#include "kcall.h"
#include "parkq.h"
#include "procobj.h"
#include "../kern/clock.h"
#include "../kern/panic.h"
#include "../lib/string.h"
#include "../mm/mm.h"
#include "../proc/process.h"
#include "../proc/sched.h"
#include "../proc/uaccess.h"

struct parkspace {
	struct kobj base;
	struct process *p;   /* one process reference: whose memory the words are in */
	struct parkq q;      /* [sched] parked waits */
};

struct park_op {
	struct kop k;        /* first: kop_register allocates and ring.c frees the whole op */
	struct ktimer timer; /* [sched] armed unless waiting forever */
	struct parkq_node node;  /* [sched] queued while parked */
	struct parkspace *ps;
};

static struct park_op *op_of_node(struct parkq_node *n)
{
	return (struct park_op *)((char *)n - __builtin_offsetof(struct park_op, node));
}

static struct park_op *op_of_timer(struct ktimer *t)
{
	return (struct park_op *)((char *)t - __builtin_offsetof(struct park_op, timer));
}

/* Deliver status to an op already off the wait list; disarm its timer.  sched_lock held. */
static void park_complete_locked(struct park_op *op, int32_t status)
{
	ktimer_cancel_locked(&op->timer);
	if (status == 0) {
		const struct capos_park_space_wait_out result = { .woken = 1 };

		memcpy(op->k.out, &result, sizeof result);
		op->k.out_len = sizeof result;
	}
	kop_finish_locked(&op->k, status);
}

/* Unlink a parked op (it must be queued: a kernel bug otherwise).  sched_lock held. */
static void park_unlink_locked(struct park_op *op)
{
	bool was_queued = parkq_remove(&op->ps->q, &op->node);

	KASSERT(was_queued);
}

static void park_timed_out(struct ktimer *t)
{
	struct park_op *op = op_of_timer(t);

	park_unlink_locked(op);
	park_complete_locked(op, -CAPOS_ETIMEDOUT);
}

/* k->cancel: CANCEL or ring_destroy (which finishes or frees k itself).  sched_lock held. */
static void park_cancel(struct kop *k)
{
	struct park_op *op = (struct park_op *)k;

	park_unlink_locked(op);
	ktimer_cancel_locked(&op->timer);
}

static void parkspace_destroy(struct kobj *o)
{
	struct parkspace *ps = KOBJ_CONTAINER(o, struct parkspace, base);
	uint64_t flags = sched_lock_irqsave();
	struct parkq_node *n;

	while ((n = parkq_take_any(&ps->q)) != NULL)
		park_complete_locked(op_of_node(n), -CAPOS_ECANCELED);
	sched_unlock_irqrestore(flags);
	process_unref(ps->p);
	kmem_free(o->payer, ps);
}

static const struct kobj_ops parkspace_ops = { .destroy = parkspace_destroy };

struct kobj *parkspace_create(struct process *p)
{
	int err;
	struct parkspace *ps = kmem_zalloc(process_quota(p), sizeof *ps, &err);  /* p holds it: p pays */

	if (!ps)
		return NULL;
	kobj_init(&ps->base, CAPOS_IFACE_PARK_SPACE, &parkspace_ops);
	ps->base.payer = process_quota(p);
	parkq_init(&ps->q);
	process_ref(p);
	ps->p = p;
	return &ps->base;
}

static struct parkspace *call_parkspace(const struct kcall *call)
{
	KASSERT(call->obj->iface == CAPOS_IFACE_PARK_SPACE);
	return KOBJ_CONTAINER(call->obj, struct parkspace, base);
}

/* Read the word at addr in the bound process: 0, -CAPOS_EPEER, -CAPOS_EINVAL, -CAPOS_EFAULT. */
static int read_word(struct parkspace *ps, uint64_t addr, uint32_t *word)
{
	if (process_dying(ps->p) || !process_aspace(ps->p))
		return -CAPOS_EPEER;
	return uaccess_read_u32(process_aspace(ps->p), addr, word);
}

/* Everything wait checks before parking; no side effects. */
static int decode_wait(struct parkspace *ps, const struct capos_park_space_wait_in *in)
{
	uint32_t word;
	int err = read_word(ps, in->addr, &word);

	if (err)
		return err;
	if (word != in->expected)
		return -CAPOS_EAGAIN;
	return in->timeout_ns == 0 ? -CAPOS_ETIMEDOUT : 0;
}

static uint64_t wait_deadline(uint64_t timeout_ns)
{
	uint64_t now = clock_ns();

	if (timeout_ns == CAPOS_TIMEOUT_INFINITE || now + timeout_ns < now)
		return SCHED_NO_DEADLINE;
	return now + timeout_ns;
}

static void park_locked(struct parkspace *ps, struct park_op *op, uint64_t addr, uint64_t deadline)
{
	op->ps = ps;
	op->k.ctx = ps;
	op->k.cancel = park_cancel;
	op->timer.fire = park_timed_out;
	parkq_add(&ps->q, &op->node, addr);
	if (deadline != SCHED_NO_DEADLINE)
		ktimer_arm_locked(&op->timer, deadline);
}

/* The second read (see the top): undo the park if the word has changed meanwhile. */
static void recheck(struct parkspace *ps, struct park_op *op, const struct capos_park_space_wait_in *in)
{
	uint32_t word;
	int err = read_word(ps, in->addr, &word);
	uint64_t flags;

	if (!err && word == in->expected)
		return;
	flags = sched_lock_irqsave();
	if (parkq_queued(&op->node)) {  /* else a wake or the timer completed it already */
		park_unlink_locked(op);
		park_complete_locked(op, err ? err : -CAPOS_EAGAIN);
	}
	sched_unlock_irqrestore(flags);
}

int kcap_park_space_wait(struct kcall *call, const struct capos_park_space_wait_in *in, uint32_t in_len,
			 struct capos_park_space_wait_out *out, uint32_t *out_len)
{
	struct parkspace *ps = call_parkspace(call);
	struct park_op *op;
	uint64_t flags;
	int err = decode_wait(ps, in);

	(void)in_len; (void)out;
	*out_len = 0;
	if (err)
		return err;
	op = (struct park_op *)kcall_defer(call, sizeof *op);
	if (!op)
		return -CAPOS_EQUOTA;
	flags = sched_lock_irqsave();
	park_locked(ps, op, in->addr, wait_deadline(in->timeout_ns));
	sched_unlock_irqrestore(flags);
	recheck(ps, op, in);
	return KCALL_PENDING;
}

static int decode_wake(const struct capos_park_space_wake_in *in)
{
	if (in->addr & 3)
		return -CAPOS_EINVAL;
	if (in->addr < CAPOS_USER_MIN || in->addr >= CAPOS_USER_MAX)
		return -CAPOS_EFAULT;
	return 0;
}

int kcap_park_space_wake(struct kcall *call, const struct capos_park_space_wake_in *in, uint32_t in_len,
			 struct capos_park_space_wake_out *out, uint32_t *out_len)
{
	struct parkspace *ps = call_parkspace(call);
	uint32_t woken = 0;
	uint64_t flags;
	int err = decode_wake(in);

	(void)in_len;
	*out_len = 0;
	if (err)
		return err;
	flags = sched_lock_irqsave();
	while (woken < in->count) {
		struct parkq_node *n = parkq_take(&ps->q, in->addr);

		if (!n)
			break;
		park_complete_locked(op_of_node(n), 0);
		woken++;
	}
	sched_unlock_irqrestore(flags);
	out->woken = woken;
	*out_len = sizeof *out;
	return 0;
}
