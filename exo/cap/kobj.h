/*
 * Kernel objects: what capabilities point at.  Every object starts with a
 * struct kobj naming its interface (the interface id from interfaces.def
 * doubles as the object type) and a reference count.  Each capability-table
 * slot holding the object owns one reference; kernel code that keeps a
 * pointer across a lock release takes its own.  At zero, ops->destroy frees
 * the object.  Objects are immutable in type; their own fields say which
 * lock guards them.
 */
#ifndef EXO_CAP_KOBJ_H
#define EXO_CAP_KOBJ_H

#include <stddef.h>
#include <stdint.h>

struct kobj;

struct kobj_ops {
	void (*destroy)(struct kobj *o);   /* last reference gone; may be NULL for static objects */
};

struct kobj {
	uint32_t iface;        /* CAPOS_IFACE_* */
	uint32_t refs;         /* atomic */
	const struct kobj_ops *ops;
};

static inline void kobj_init(struct kobj *o, uint32_t iface, const struct kobj_ops *ops)
{
	o->iface = iface;
	o->refs = 1;
	o->ops = ops;
}

static inline struct kobj *kobj_ref(struct kobj *o)
{
	__atomic_fetch_add(&o->refs, 1, __ATOMIC_RELAXED);
	return o;
}

static inline void kobj_unref(struct kobj *o)
{
	if (__atomic_sub_fetch(&o->refs, 1, __ATOMIC_ACQ_REL) == 0 && o->ops && o->ops->destroy)
		o->ops->destroy(o);
}

/* Recover the containing object from its embedded struct kobj. */
#define KOBJ_CONTAINER(ptr, type, member) \
	((type *)((char *)(ptr) - __builtin_offsetof(type, member)))

#endif
