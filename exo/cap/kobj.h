/*
 * Kernel objects: what capabilities point at.  Every object starts with a
 * struct kobj naming its interface (the interface id from interfaces.def
 * doubles as the object type) and a reference count.  Each capability-table
 * slot holding the object owns one reference; kernel code that keeps a
 * pointer across a lock release takes its own.  At zero, ops->destroy frees
 * the object.  Objects are immutable in type; their own fields say which
 * lock guards them.
 *
 * Kinds.  Most objects are kernel objects: a CALL goes to the handler
 * generated for (iface, method).  Two kinds are not: a client capability
 * of an endpoint (KOBJ_ENDPOINT_CLIENT, iface = the service's interface id;
 * its calls travel to a server, docs/ipc.md) and a revocable copy
 * (KOBJ_FORWARD, iface = its target's; every use goes through
 * ops->forward to the target, or fails once it is revoked).
 *
 * Bounded teardown (invariant).  No destroy calls another destroy: the
 * last kobj_unref of an object queues it on the kernel's dead list, and
 * only the outermost kobj_unref — the one not already inside a destroy —
 * drains that list, one object at a time, in a loop (kobj.c).  An object
 * dropped by a destroy (a copy's target, a claim's lines and ranges, what
 * a message carried) is destroyed after the destroy that dropped it has
 * returned, before the outermost kobj_unref returns.  So the kernel stack
 * a teardown uses does not depend on the graph: a chain, tree or cycle of
 * any size ends in the stack of one destroy.  Two rules follow for
 * destroys: (1) a destroy must not rely on what it drops being gone
 * before it returns (cut the link first: detach, revoke, unlink — as
 * pcifn_quiesce and irq_revoke do); (2) it must not sleep (the drain
 * belongs to whoever started it; one CPU, no kernel preemption).  Other
 * teardown walks — process exit (release_caps), ring_destroy,
 * revocable_cut, kobj_resolve — are loops over lists or tables, never
 * recursion.
 */
#ifndef EXO_CAP_KOBJ_H
#define EXO_CAP_KOBJ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kobj;
struct quota;

struct kobj_ops {
	void (*destroy)(struct kobj *o);   /* last reference gone; may be NULL for static objects */
	/* KOBJ_FORWARD: the next object on the way to the target, NULL once revoked. */
	struct kobj *(*forward)(struct kobj *o);
	/*
	 * May be NULL.  A revocable copy leading to o (directly or through
	 * other copies) was just revoked: every handle through it is dead,
	 * in every process.  Called with no lock held, o still referenced.
	 */
	void (*copy_revoked)(struct kobj *o);
};

enum kobj_kind { KOBJ_KERNEL = 0, KOBJ_ENDPOINT_CLIENT = 1, KOBJ_FORWARD = 2 };

struct kobj {
	uint32_t iface;        /* CAPOS_IFACE_* or a service's interface id */
	uint32_t refs;         /* atomic */
	const struct kobj_ops *ops;
	uint32_t kind;         /* enum kobj_kind; fixed at creation */
	struct kobj *dead_next; /* the dead list's link, once refs is 0 (kobj.c) */
	/*
	 * Whose kernel-memory quota pays for the object's heap block (it was
	 * kmem_zalloc'd with this quota, which its destroy passes to
	 * kmem_free): the process that caused it.  NULL: the kernel's own.
	 */
	struct quota *payer;
};

static inline void kobj_init_kind(struct kobj *o, uint32_t iface, const struct kobj_ops *ops,
				  enum kobj_kind kind)
{
	o->iface = iface;
	o->refs = 1;
	o->ops = ops;
	o->kind = kind;
}

static inline void kobj_init(struct kobj *o, uint32_t iface, const struct kobj_ops *ops)
{
	kobj_init_kind(o, iface, ops, KOBJ_KERNEL);
}

/* A machine-wide object created at boot and never freed. */
#define KOBJ_STATIC(id) { .iface = (id), .refs = 1, .ops = NULL, .kind = KOBJ_KERNEL }

/* Longest chain of revocable copies (CapSpace.derive refuses deeper). */
#define KOBJ_FORWARD_DEPTH 8

/*
 * The object a capability acts on: o itself, or the end of its chain of
 * revocable copies.  -CAPOS_EREVOKED (in *err) and NULL when a link is cut.
 * No reference is taken: valid while the caller's slot holds o and no
 * lock is dropped (capOS runs one kernel call at a time).
 */
struct kobj *kobj_resolve(struct kobj *o, int *err);

struct kop;

/*
 * In-flight operations through revocable copies (obj_capspace.c).
 * revocable_track: k was just posted through via (a KOBJ_FORWARD object;
 * takes a reference) — a revoke of any link of via's chain finishes it with
 * -CAPOS_EREVOKED.  revocable_untrack_locked: k finished or is being
 * discarded (sched_lock held).  revocable_put: drop k's reference to via
 * when k is freed (no lock held).
 */
void revocable_track(struct kop *k, struct kobj *via);
void revocable_untrack_locked(struct kop *k);
void revocable_put(struct kop *k);

static inline struct kobj *kobj_ref(struct kobj *o)
{
	__atomic_fetch_add(&o->refs, 1, __ATOMIC_RELAXED);
	return o;
}

/* A reference, unless the count has already reached zero (o is being destroyed): false then. */
static inline bool kobj_tryref(struct kobj *o)
{
	uint32_t n = __atomic_load_n(&o->refs, __ATOMIC_RELAXED);

	while (n != 0)
		if (__atomic_compare_exchange_n(&o->refs, &n, n + 1, true, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return true;
	return false;
}

/*
 * The last reference to o is gone: queue it for ops->destroy and, unless
 * a drain is already running below us on this CPU, drain (see above).
 */
void kobj_dead(struct kobj *o);

static inline void kobj_unref(struct kobj *o)
{
	if (__atomic_sub_fetch(&o->refs, 1, __ATOMIC_ACQ_REL) == 0 && o->ops && o->ops->destroy)
		kobj_dead(o);
}

/* Recover the containing object from its embedded struct kobj. */
#define KOBJ_CONTAINER(ptr, type, member) \
	((type *)((char *)(ptr) - __builtin_offsetof(type, member)))

#endif
