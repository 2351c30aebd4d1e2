/*
 * Per-process quotas: frames, capability slots, threads and outstanding
 * ring operations.  Exhausting one is -CAPOS_EQUOTA for that process only.
 *
 * A quota is a separately allocated, reference-counted object because
 * charges can outlive the process that made them: a MemoryObject created
 * by one process may still be mapped by another after its creator died, and
 * its frames stay charged to the creator's quota until they are freed.
 * The process holds one reference; every address space and memory object
 * charged to the quota holds one more.  quota_put of the last reference
 * frees it (every charge must have been released by then — a leak is a
 * kernel bug and panics).
 *
 * The frame counters are updated atomically (no lock), so any CPU may
 * charge or release at any time.  The thread, capability and ring-operation
 * fields belong to the process code, which serialises them itself.
 */
#ifndef EXO_PROC_QUOTA_H
#define EXO_PROC_QUOTA_H

#include <stdint.h>
#include <capos/error.h>

struct quota {
	uint64_t frames_max, frames_used;   /* frames_used: atomic */
	uint32_t caps_max;
	uint32_t threads_max, threads_used;
	uint32_t ring_ops_max, ring_ops_used;
	uint32_t refs;                      /* atomic; see quota_get/quota_put */
};

struct quota_limits {
	uint64_t frames;
	uint32_t caps, threads, ring_ops;
};

/* A new quota with one reference and nothing charged; NULL without memory. */
struct quota *quota_create(const struct quota_limits *limits);
void quota_get(struct quota *q);
/* Drop a reference; the last one frees q (panics if frames are still charged). */
void quota_put(struct quota *q);

/* Charge n frames: 0, or -CAPOS_EQUOTA with nothing charged when
 * frames_used + n would exceed frames_max. */
static inline int quota_charge_frames(struct quota *q, uint64_t n)
{
	uint64_t used = __atomic_load_n(&q->frames_used, __ATOMIC_RELAXED);

	do {
		if (n > q->frames_max || used > q->frames_max - n)
			return -CAPOS_EQUOTA;
	} while (!__atomic_compare_exchange_n(&q->frames_used, &used, used + n, 1,
					      __ATOMIC_RELAXED, __ATOMIC_RELAXED));
	return 0;
}

/* Give back n frames charged earlier (more than charged is a kernel bug:
 * the counter is checked by quota_put and the host tests). */
static inline void quota_release_frames(struct quota *q, uint64_t n)
{
	__atomic_fetch_sub(&q->frames_used, n, __ATOMIC_RELAXED);
}

static inline uint64_t quota_frames_used(const struct quota *q)
{
	return __atomic_load_n(&q->frames_used, __ATOMIC_RELAXED);
}

#endif
