/*
 * Quota objects: allocation and reference counting (the charge arithmetic
 * is inline in quota.h).
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
	uvm_free(q);
}
