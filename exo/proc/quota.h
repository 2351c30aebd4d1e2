/*
 * Per-process quotas: frames, kernel memory, capability slots, threads and
 * outstanding ring operations.  Exhausting one is -CAPOS_EQUOTA for that
 * process only.
 *
 * Every byte is paid for (docs/resources.md has the table).  Whole frames
 * a process causes — its pages, page tables, rings, kernel stacks, DMA
 * pools, I/O bitmaps — are charged to the frame quota; every kernel-heap
 * block it causes — its process, thread and table structures, ring
 * operations, queued call parameters, capability objects — is allocated
 * with kmem_zalloc/kmem_alloc and charged, whole heap block, to the
 * kernel-memory quota of the process that caused it (or keeps it alive),
 * and returned by kmem_free when the block is freed.  The quota object
 * itself is charged to its own kernel-memory counter.
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
 * The frame and kernel-memory counters are updated atomically (no lock),
 * so any CPU may charge or release at any time.  The thread, capability and ring-operation
 * fields belong to the process code, which serialises them itself.
 */
#ifndef EXO_PROC_QUOTA_H
#define EXO_PROC_QUOTA_H

#include <stddef.h>
#include <stdint.h>
#include <capos/error.h>

struct quota {
	uint64_t frames_max, frames_used;   /* frames_used: atomic */
	uint64_t kmem_max, kmem_used;       /* bytes; kmem_used: atomic */
	uint64_t kmem_self;                 /* the quota object's own heap block, in kmem_used */
	uint32_t caps_max;
	uint32_t threads_max, threads_used;
	uint32_t ring_ops_max, ring_ops_used;
	uint32_t refs;                      /* atomic; see quota_get/quota_put */
};

struct quota_limits {
	uint64_t frames;
	uint64_t kmem;                      /* bytes */
	uint32_t caps, threads, ring_ops;
};

/* A new quota with one reference and nothing charged; NULL without memory. */
struct quota *quota_create(const struct quota_limits *limits);
void quota_get(struct quota *q);
/* Drop a reference; the last one frees q (panics if anything is still charged). */
void quota_put(struct quota *q);

/* Add n to *used unless that would exceed max: 0, or -CAPOS_EQUOTA with nothing charged. */
static inline int quota_charge_counter(uint64_t *used_p, uint64_t max, uint64_t n)
{
	uint64_t used = __atomic_load_n(used_p, __ATOMIC_RELAXED);

	do {
		if (n > max || used > max - n)
			return -CAPOS_EQUOTA;
	} while (!__atomic_compare_exchange_n(used_p, &used, used + n, 1, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	return 0;
}

/* Charge n frames: 0, or -CAPOS_EQUOTA with nothing charged when
 * frames_used + n would exceed frames_max. */
static inline int quota_charge_frames(struct quota *q, uint64_t n)
{
	return quota_charge_counter(&q->frames_used, q->frames_max, n);
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

static inline uint64_t quota_kmem_used(const struct quota *q)
{
	return __atomic_load_n(&q->kmem_used, __ATOMIC_RELAXED);
}

/*
 * Kernel-heap memory charged to q: size bytes (zeroed by kmem_zalloc),
 * the whole heap block charged to q's kernel-memory quota, and one
 * reference on q held until kmem_free.  NULL with *err = -CAPOS_EQUOTA
 * (over the quota; nothing charged) or -CAPOS_ENOMEM (the machine is out).
 * q NULL: the kernel's own memory, charged to nobody (boot-time objects).
 */
void *kmem_zalloc(struct quota *q, size_t size, int *err);
void *kmem_alloc(struct quota *q, size_t size, int *err);
/* Free p from kmem_zalloc/kmem_alloc with the same q; returns its charge and reference. NULL p is allowed. */
void kmem_free(struct quota *q, void *p);

#endif
