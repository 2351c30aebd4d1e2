/*
 * Quota objects: allocation and reference counting, and the charged
 * kernel-heap allocator (the frame arithmetic is inline in quota.h).
 */
#include "quota.h"
#include "uvm_env.h"
#include "../kern/panic.h"

struct quota *quota_create(const struct quota_limits *limits)
{
	struct quota *q = uvm_zalloc(sizeof(*q));

	if (!q)
		return NULL;
	q->frames_max = limits->frames;
	q->kmem_max = limits->kmem;
	q->kmem_self = uvm_alloc_size(q);
	q->kmem_used = q->kmem_self;  /* may exceed a tiny limit: then every further charge fails */
	q->caps_max = limits->caps;
	q->threads_max = limits->threads;
	q->ring_ops_max = limits->ring_ops;
	q->refs = 1;
	return q;
}

void quota_get(struct quota *q)
{
	uint32_t old = __atomic_fetch_add(&q->refs, 1, __ATOMIC_RELAXED);

	KASSERT(old > 0 && old < UINT32_MAX);
}

void quota_put(struct quota *q)
{
	uint32_t old = __atomic_fetch_sub(&q->refs, 1, __ATOMIC_ACQ_REL);

	KASSERT(old > 0);
	if (old != 1)
		return;
	if (q->frames_used != 0)
		panic("quota %p freed with %llu frames still charged", (void *)q,
		      (unsigned long long)q->frames_used);
	if (q->kmem_used != q->kmem_self)
		panic("quota %p freed with %llu bytes of kernel memory still charged", (void *)q,
		      (unsigned long long)(q->kmem_used - q->kmem_self));
	uvm_free(q);
}

static void *charged(struct quota *q, void *p, int *err)
{
	if (!p) {
		*err = -CAPOS_ENOMEM;
		return NULL;
	}
	if (!q)
		return p;
	if (quota_charge_counter(&q->kmem_used, q->kmem_max, uvm_alloc_size(p)) != 0) {
		uvm_free(p);
		*err = -CAPOS_EQUOTA;
		return NULL;
	}
	quota_get(q);
	return p;
}

void *kmem_zalloc(struct quota *q, size_t size, int *err)
{
	return charged(q, uvm_zalloc(size), err);
}

void *kmem_alloc(struct quota *q, size_t size, int *err)
{
	return charged(q, uvm_alloc(size), err);
}

void kmem_free(struct quota *q, void *p)
{
	if (!p)
		return;
	if (q)
		__atomic_fetch_sub(&q->kmem_used, uvm_alloc_size(p), __ATOMIC_RELAXED);
	uvm_free(p);
	if (q)
		quota_put(q);
}
