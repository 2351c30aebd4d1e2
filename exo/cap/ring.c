/*
 * cap_enter and the life of a ring (see ring.h for the model and locks).
 *
 * ring_enter: (1) post what finished since the last call, (2) consume SQEs
 * while the CQ can take their completions, (3) wait for min_complete
 * visible completions or the deadline, posting finished kops as they come.
 * Every index the process can write is range-checked before use; a bad
 * one marks the ring corrupt and the call fails with -CAPOS_EINVAL; the
 * kernel's own indices are never taken from shared memory.
 */
#include <stddef.h>
#include <capos/error.h>
#include "ring.h"
#include "kcall.h"
#include "../kern/clock.h"
#include "../kern/log.h"
#include "../kern/panic.h"
#include "../lib/string.h"
#include "../mm/mm.h"
#include "../proc/process.h"
#include "../proc/quota.h"
#include "../proc/uaccess.h"

#define SQ_OFFSET 4096u

static uint64_t ring_bytes(void)
{
	return SQ_OFFSET + CAPOS_RING_SQ_ENTRIES * sizeof(struct capos_sqe) +
	       CAPOS_RING_CQ_ENTRIES * sizeof(struct capos_cqe);
}

uint64_t ring_size(const struct ring *r)
{
	return (uint64_t)r->pages * PAGE_SIZE;
}

int ring_create(struct process *p, struct ring **out)
{
	int err;
	struct ring *r = kmem_zalloc(process_quota(p), sizeof *r, &err);
	uint32_t pages = (uint32_t)((ring_bytes() + PAGE_SIZE - 1) / PAGE_SIZE);

	if (!r)
		return err;
	if (quota_charge_frames(process_quota(p), pages) != 0) {
		kmem_free(process_quota(p), r);
		return -CAPOS_EQUOTA;  /* a ring is memory of the process like any other */
	}
	if (frame_alloc_contig(pages, 1, &r->phys) != 0) {
		quota_release_frames(process_quota(p), pages);
		kmem_free(process_quota(p), r);
		return -CAPOS_ENOMEM;
	}
	r->pages = pages;
	r->proc = p;
	r->hdr = phys_to_virt(r->phys);
	r->sq = (struct capos_sqe *)((char *)r->hdr + SQ_OFFSET);
	r->cq = (struct capos_cqe *)(r->sq + CAPOS_RING_SQ_ENTRIES);
	ring_idx_init(&r->idx, CAPOS_RING_SQ_ENTRIES, CAPOS_RING_CQ_ENTRIES);
	r->hdr->magic = CAPOS_RING_MAGIC;
	r->hdr->version = CAPOS_RING_VERSION;
	r->hdr->sq_entries = CAPOS_RING_SQ_ENTRIES;
	r->hdr->cq_entries = CAPOS_RING_CQ_ENTRIES;
	r->hdr->sq_offset = SQ_OFFSET;
	r->hdr->cq_offset = (uint32_t)((char *)r->cq - (char *)r->hdr);
	r->hdr->size = (uint32_t)ring_size(r);
	*out = r;
	return 0;
}

static uint32_t load_user_index(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void publish_index(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static int64_t mark_corrupt(struct ring *r, const char *which)
{
	if (!r->corrupt)
		kwarn("ring: process %u wrote an out-of-range %s; ring refused", process_pid(r->proc), which);
	r->corrupt = true;
	r->hdr->kflags |= CAPOS_RING_K_CORRUPT;
	return -CAPOS_EINVAL;
}

/* Write one CQE into the reserved slot.  Owner's context, ring->lock held. */
static void post_locked(struct ring *r, uint64_t user_data, int32_t status, uint32_t len,
			uint64_t aux, uint16_t caps)
{
	struct capos_cqe *c = &r->cq[ring_idx_post(&r->idx)];

	c->user_data = user_data;
	c->status = status;
	c->result_len = len;
	c->aux = aux;
	c->caps = caps;
	c->flags = 0;
	c->reserved = 0;
	publish_index(&r->hdr->cq_tail, r->idx.cq_tail);
}

void ring_post(struct ring *r, uint64_t user_data, int32_t status, uint32_t result_len,
	       uint64_t aux, uint16_t caps)
{
	post_locked(r, user_data, status, result_len, aux, caps);
}

static void unlink_kop(struct kop **list, struct kop *k)
{
	while (*list && *list != k)
		list = &(*list)->next;
	if (*list)
		*list = k->next;
	k->next = NULL;
}

/* Move k from pending to done.  Returns false when it was already done (a race with cancel). */
static bool finish_to_done(struct kop *k, int32_t status)
{
	struct ring *r = k->ring;
	uint64_t flags = spin_lock_irqsave(&r->cq_lock);
	bool moved = !k->done;

	if (moved) {
		revocable_untrack_locked(k);  /* callers hold sched_lock */
		unlink_kop(&r->pending, k);
		k->done = true;
		k->status = status;
		k->next = r->done;
		r->done = k;
		r->done_count++;
	}
	spin_unlock_irqrestore(&r->cq_lock, flags);
	return moved;
}

void kop_finish_locked(struct kop *k, int32_t status)
{
	if (finish_to_done(k, status))
		sched_wake_all_locked(&k->ring->waiters);
}

void kop_finish_handoff_locked(struct kop *k, int32_t status)
{
	if (finish_to_done(k, status))
		sched_wake_all_first_locked(&k->ring->waiters);
}

void kop_finish_preempt_locked(struct kop *k, int32_t status)
{
	if (finish_to_done(k, status))
		sched_wake_all_preempt_locked(&k->ring->waiters);
}

void kop_finish(struct kop *k, int32_t status)
{
	uint64_t flags = sched_lock_irqsave();

	kop_finish_locked(k, status);
	sched_unlock_irqrestore(flags);
}

/* Copy a finished kop's result out and post its CQE.  Process context, ring->lock held. */
/* Free k, giving back what it held: a ring operation, its copy's reference, its kernel memory. */
static void kop_free(struct ring *r, struct kop *k)
{
	process_ring_op_done(r->proc);
	revocable_put(k);
	kmem_free(process_quota(r->proc), k);
}

static void post_kop(struct ring *r, struct kop *k)
{
	int32_t status = k->status;
	uint32_t len = 0;

	if (k->settle)
		k->settle(k);
	if (status >= 0 && k->direct_len) {
		len = k->direct_len;
	} else if (status >= 0 && k->out_len) {
		if (k->result_cap < k->out_len)
			status = -CAPOS_ERANGE;
		else if (uaccess_copy_to(process_aspace(r->proc), k->result_va,
					 k->out_ext ? k->out_ext : k->out, k->out_len) != 0)
			status = -CAPOS_EFAULT;
		else
			len = k->out_len;
	}
	ring_post(r, k->user_data, status, len, k->aux, k->caps);
	kop_free(r, k);
}

/*
 * Post every finished kop, oldest first.  ring->lock held.  An empty done
 * list is seen without cq_lock: a kop finishing just after is posted by the
 * next drain (every wait drains before it sleeps, under the lock).
 */
static void drain_done(struct ring *r)
{
	struct kop *list, *rev = NULL;
	uint64_t flags;

	if (!__atomic_load_n(&r->done, __ATOMIC_ACQUIRE))
		return;
	flags = spin_lock_irqsave(&r->cq_lock);

	list = r->done;
	r->done = NULL;
	r->done_count = 0;
	spin_unlock_irqrestore(&r->cq_lock, flags);
	while (list) {  /* the done list is newest first */
		struct kop *next = list->next;

		list->next = rev;
		rev = list;
		list = next;
	}
	while (rev) {
		struct kop *next = rev->next;

		post_kop(r, rev);
		rev = next;
	}
}

struct kop *kop_register(struct ring *r, const struct capos_sqe *sqe, size_t size)
{
	struct kop *k;
	uint64_t flags;
	int err;

	if (size < sizeof *k || process_ring_op_charge(r->proc) != 0)
		return NULL;
	k = kmem_zalloc(process_quota(r->proc), size, &err);  /* a kop is the process's kernel memory */
	if (!k) {
		process_ring_op_done(r->proc);
		return NULL;
	}
	k->ring = r;
	k->user_data = sqe->user_data;
	k->result_va = sqe->result_addr;
	k->result_cap = sqe->result_len;
	flags = spin_lock_irqsave(&r->cq_lock);
	k->next = r->pending;
	r->pending = k;
	spin_unlock_irqrestore(&r->cq_lock, flags);
	return k;
}

struct kop *kop_register_kernel(struct ring *r, size_t size)
{
	static const struct capos_sqe none;  /* no user_data, no result buffer */

	return kop_register(r, &none, size);
}

void kop_reclaim(struct ring *r, struct kop *k)
{
	uint64_t flags = spin_lock_irqsave(&r->cq_lock);

	KASSERT(k->done);
	unlink_kop(&r->done, k);
	r->done_count--;
	spin_unlock_irqrestore(&r->cq_lock, flags);
	if (k->settle)
		k->settle(k);
	kop_free(r, k);
}

/* CANCEL: find the pending kop with this user_data and finish it as cancelled. */
int ring_cancel(struct ring *r, uint64_t target)
{
	uint64_t flags = sched_lock_irqsave();
	uint64_t cq_flags = spin_lock_irqsave(&r->cq_lock);
	struct kop *k = r->pending;

	while (k && k->user_data != target)
		k = k->next;
	spin_unlock_irqrestore(&r->cq_lock, cq_flags);
	if (k) {
		if (k->cancel)
			k->cancel(k);
		kop_finish_locked(k, -CAPOS_ECANCELED);
	}
	sched_unlock_irqrestore(flags);
	return k ? 0 : -CAPOS_ENOENT;
}

/* Consume and perform SQEs while the CQ has room.  ring->lock held. */
static int64_t consume(struct ring *r)
{
	int64_t pending = ring_idx_sq_pending(&r->idx, load_user_index(&r->hdr->sq_tail));
	int64_t done = 0;

	if (pending < 0)
		return mark_corrupt(r, "SQ tail");
	while (done < pending) {
		int64_t space = ring_idx_cq_space(&r->idx, load_user_index(&r->hdr->cq_head));
		struct capos_sqe sqe;

		if (space < 0)
			return mark_corrupt(r, "CQ head");
		if (space == 0)
			break;  /* clean refusal: the rest stays queued for the next cap_enter */
		sqe = r->sq[ring_idx_consume(&r->idx)];
		publish_index(&r->hdr->sq_head, r->idx.sq_head);
		kcall_execute(r, &sqe);
		done++;
	}
	/*
	 * Again: a result the process aimed into its own ring header may have
	 * overwritten the index, and its ring client would then wait for
	 * entries the kernel consumed long ago.  The kernel's copy is the
	 * truth (cq_tail heals the same way: every post publishes it after
	 * the result is written).
	 */
	publish_index(&r->hdr->sq_head, r->idx.sq_head);
	return done;
}

/* Completions the process can see or that are waiting to be posted. */
static uint32_t visible_completions(struct ring *r)
{
	return (r->idx.cq_tail - load_user_index(&r->hdr->cq_head)) + r->done_count;
}

/* Block until min_complete completions are visible, the deadline passes or the process dies. */
static void wait_for_completions(struct ring *r, uint32_t min_complete, uint64_t deadline)
{
	for (;;) {
		uint64_t flags;
		enum wake_reason why = WAKE_SIGNALED;

		spin_lock(&r->lock);
		drain_done(r);
		spin_unlock(&r->lock);
		flags = sched_lock_irqsave();
		if (visible_completions(r) < min_complete)
			why = sched_wait(&r->waiters, deadline);
		else
			why = WAKE_TIMEOUT;  /* satisfied: leave the loop after a last drain */
		sched_unlock_irqrestore(flags);
		if (why != WAKE_SIGNALED)
			break;
	}
	spin_lock(&r->lock);
	drain_done(r);
	spin_unlock(&r->lock);
}

int64_t ring_enter(struct ring *r, uint32_t min_complete, uint64_t timeout_ns)
{
	bool waits = min_complete && timeout_ns;
	uint64_t now = waits && timeout_ns != CAPOS_TIMEOUT_INFINITE ? clock_ns() : 0;
	uint64_t deadline = (timeout_ns == CAPOS_TIMEOUT_INFINITE || now + timeout_ns < now)
				    ? SCHED_NO_DEADLINE : now + timeout_ns;
	int64_t consumed;

	if (min_complete > CAPOS_RING_CQ_ENTRIES)
		return -CAPOS_EINVAL;
	spin_lock(&r->lock);
	if (r->corrupt) {
		spin_unlock(&r->lock);
		return -CAPOS_EINVAL;
	}
	drain_done(r);
	consumed = consume(r);
	drain_done(r);
	spin_unlock(&r->lock);
	if (consumed < 0)
		return consumed;
	/* Already enough posted (the common case of calls answered at once): no need to wait. */
	if (waits && r->idx.cq_tail - load_user_index(&r->hdr->cq_head) < min_complete)
		wait_for_completions(r, min_complete, deadline);
	if (sched_take_handoff())
		sched_yield_handoff();  /* an IPC peer woken by this call runs now */
	return consumed;
}

/* Free a list of kops never posted, giving back the ring-operation quota each held (as post_kop does). */
static void discard_kops(struct ring *r, struct kop **list)
{
	while (*list) {
		struct kop *k = *list;

		*list = k->next;
		if (k->settle)
			k->settle(k);
		kop_free(r, k);
	}
}

void ring_destroy(struct ring *r)
{
	uint64_t flags = sched_lock_irqsave();

	/* Unhook every pending operation from what it waits on, then free them all. */
	for (struct kop *k = r->pending; k; k = k->next) {
		if (k->cancel)
			k->cancel(k);
		revocable_untrack_locked(k);
	}
	sched_unlock_irqrestore(flags);
	discard_kops(r, &r->pending);
	discard_kops(r, &r->done);
	frame_free_contig(r->phys, r->pages);
	quota_release_frames(process_quota(r->proc), r->pages);
	kmem_free(process_quota(r->proc), r);
}
