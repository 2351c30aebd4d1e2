/*
 * The kernel side of a process's capability ring (ABI: capos/ring.h).
 *
 * ring_enter() is cap_enter: it consumes SQEs while the CQ has room for
 * their completions, performs each (kcall.c), then waits until enough
 * completions are visible or the timeout passes.
 *
 * Operations that finish later (sleep, park, join, child wait, endpoint
 * calls) are struct kop records.  They complete from any context —
 * another process, a timer tick — with kop_finish(), which only moves the
 * kop to the ring's done list and wakes waiters; the CQE is written, and
 * the result copied into the process, by the process itself in its next
 * cap_enter (ring_drain_done), so no foreign context ever touches its
 * memory.  Each kop holds one reserved CQ slot and one unit of the
 * process's ring-operation quota until it is posted.
 *
 * Locks: ring->lock serialises cap_enter on the ring (its owner thread's
 * context only).  The CQ tail and the index arithmetic (idx) are touched
 * only by the owner, under ring->lock: every CQE is written by the owner.
 * ring->cq_lock guards the kop lists (pending, done), which any context
 * may change through kop_finish; it ranks below sched_lock.  Order: ring->lock -> process lock -> sched_lock
 * -> ring->cq_lock -> allocators.
 */
#ifndef EXO_CAP_RING_H
#define EXO_CAP_RING_H

#include <stdbool.h>
#include <stdint.h>
#include <capos/ring.h>
#include "ringidx.h"
#include "../kern/spinlock.h"
#include "../proc/sched.h"

struct process;
struct kop;

#define KOP_OUT_MAX 64  /* largest async result struct kept in the kop itself */

struct kop {
	struct ring *ring;
	uint64_t user_data;
	uint64_t result_va;
	uint32_t result_cap;
	uint32_t out_len;        /* bytes of out[] (or *out_ext) valid once done */
	uint32_t direct_len;     /* or: bytes already written to result_va (IPC) */
	int32_t status;
	uint16_t caps;
	bool done;
	uint64_t aux;
	/* Unlink from whatever the operation waits on (sched_lock held).  */
	void (*cancel)(struct kop *k);
	/*
	 * Last word before the kop is freed — when its CQE is posted, or when
	 * its ring is destroyed (its thread ended, or the whole process is
	 * being torn down: state PROC_DEAD) — in the owner's context with no
	 * lock held.  Settles what the operation held: IPC calls commit or
	 * give back moved capabilities and drop their references here.
	 */
	void (*settle)(struct kop *k);
	void *ctx;               /* what it waits on, for cancel */
	/*
	 * The revocable copy (KOBJ_FORWARD) the operation was posted through,
	 * with one reference, or NULL: obj_capspace.c finishes it with
	 * -CAPOS_EREVOKED when a link of that copy's chain is cut.
	 */
	struct kobj *via;
	struct kop *via_next;    /* [sched] the in-flight list of kops posted through copies */
	struct kop **via_prev;   /* [sched] NULL when not on it */
	struct kop *next;        /* [cq_lock] pending or done list */
	struct kop *next_waiter; /* [sched] the waited-on object's list */
	/*
	 * A result larger than out[]: storage inside the operation's own
	 * struct (it lives as long as the kop), copied like out[].  NULL: out[].
	 */
	const void *out_ext;
	uint8_t out[KOP_OUT_MAX];
};

struct ring {
	struct spinlock lock;
	struct spinlock cq_lock;
	struct process *proc;          /* the owner's process */
	struct thread *owner;          /* the one thread that enters this ring */
	struct ring *next_in_proc;     /* [proc lock] the process's ring list */
	uint64_t phys;                 /* physically contiguous frames */
	uint32_t pages;
	uint64_t user_va;
	struct capos_ring_header *hdr; /* kernel view through the direct map */
	struct capos_sqe *sq;
	struct capos_cqe *cq;
	struct ring_idx idx;           /* [lock] (owner only) */
	struct waitq waiters;          /* [sched] threads waiting for completions */
	struct kop *pending;           /* [cq_lock] */
	struct kop *done;              /* [cq_lock] finished, not yet posted */
	uint32_t done_count;           /* [cq_lock] */
	bool corrupt;                  /* [lock] */
};

#define CAPOS_RING_SQ_ENTRIES 256u
#define CAPOS_RING_CQ_ENTRIES 512u

/* Allocate a ring for p (not yet mapped); -CAPOS_ENOMEM. */
int ring_create(struct process *p, struct ring **out);
/* Bytes and physical base, for mapping it into the process. */
uint64_t ring_size(const struct ring *r);
/* Cancel and free every kop, free the frames (the process is being torn down). */
void ring_destroy(struct ring *r);

/* cap_enter: returns SQEs consumed, or -CAPOS_EINVAL for a corrupt ring. */
int64_t ring_enter(struct ring *r, uint32_t min_complete, uint64_t timeout_ns);

/* Post a completion for an SQE being processed now (its CQ slot is reserved). */
void ring_post(struct ring *r, uint64_t user_data, int32_t status, uint32_t result_len,
	       uint64_t aux, uint16_t caps);

/* Finish a kop (see above); _locked when the caller holds sched_lock. */
void kop_finish(struct kop *k, int32_t status);
void kop_finish_locked(struct kop *k, int32_t status);
/*
 * Finish k and hand the CPU to its waiting thread: the woken thread goes to
 * the front of the run queue and the current thread gives way at the end
 * of its cap_enter (direct IPC hand-off).  sched_lock held.
 */
void kop_finish_handoff_locked(struct kop *k, int32_t status);
/*
 * Finish k from an interrupt handler: its waiting thread goes to the front
 * of the run queue and the interrupted thread is preempted at its return
 * to user mode.  sched_lock held.
 */
void kop_finish_preempt_locked(struct kop *k, int32_t status);

/*
 * Kernel-made operations (a fault message, exo/proc/fault.c): a kop with
 * no SQE behind it, registered on the ring of the thread it acts for and
 * charged like any (one ring operation, its kernel memory); cancelled and
 * freed by ring_destroy like any, but never posted: once it is done, that
 * thread (the ring's owner, in its own context, no lock held) takes it
 * back with kop_reclaim, which settles and frees it.  NULL from
 * kop_register_kernel: the quota or memory is exhausted.
 */
struct kop *kop_register_kernel(struct ring *r, size_t size);
void kop_reclaim(struct ring *r, struct kop *k);

#endif
