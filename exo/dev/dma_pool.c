/*
 * DmaPool: pinned, physically contiguous frames a device reaches by
 * device address, made by PciFunction.dma_pool.
 *
 * Frames.  One run from frame_alloc_contig (below 2^addr_bits when the
 * device cannot address everything), zeroed, wrapped in a memory object
 * (proc/memobj.h) that charges the caller's frame quota, scrubs every
 * frame before it returns to the allocator, and keeps the frames while
 * any mapping of them remains.  The device address is the physical
 * address today; it is documented as an I/O virtual address so that an
 * IOMMU can later give each function its own space without changing
 * drivers.
 *
 * Quarantine.  The pool holds one reference to the memory object on the
 * device's behalf.  When the pool's last handle goes while its function's
 * bus mastering is on, that reference stays, with the pool, on the
 * function's list until the function is quiet (set_bus_master(0), a
 * quiesce, or the end of the claim: dma_pools_settle); only then can the
 * frames return.  A pool outliving its claim no longer belongs to a
 * device that can reach it, and goes as soon as it is released.
 *
 * Methods: info reports the size, device address and where the caller
 * mapped it (0 when it has no mapping of the pool); map maps all pages
 * read-write, never executable, write-back, at vaddr (0: the kernel
 * picks).  Errors of map: as MemoryObject.map (-CAPOS_EINVAL,
 * -CAPOS_ERANGE, -CAPOS_EEXIST, -CAPOS_EQUOTA, -CAPOS_ENOMEM).
 */
#include <capos/error.h>
#include <capos/iface.h>
#include "iface_kernel.h"
#include "kcall.h"
#include "pcifn.h"
#include "../kern/panic.h"
#include "../mm/mm.h"
#include "../proc/aspace.h"
#include "../proc/memobj.h"
#include "../proc/process.h"
#include "../proc/vma.h"

struct dma_map {
	struct process *p;          /* one reference */
	uint64_t va;
	struct dma_map *next;
	struct quota *payer;        /* p's: it asked to map */
};

struct dma_pool {
	struct kobj base;           /* CAPOS_IFACE_DMA_POOL */
	struct memobj *mo;          /* the device's holder reference */
	uint64_t pages, device_addr;
	struct pcifn *fn;           /* NULL once the claim ended */
	struct dma_pool *next;      /* in fn->pools */
	struct dma_map *maps;       /* where processes mapped it (for info) */
	bool released;              /* no handle left; waiting for a quiet device */
};

static void pool_unlink(struct dma_pool *pool)
{
	struct dma_pool **pp;

	if (!pool->fn)
		return;
	for (pp = &pool->fn->pools; *pp; pp = &(*pp)->next) {
		if (*pp == pool) {
			*pp = pool->next;
			break;
		}
	}
	pool->fn = NULL;
}

static void pool_free(struct dma_pool *pool)
{
	pool_unlink(pool);
	while (pool->maps) {
		struct dma_map *m = pool->maps;

		pool->maps = m->next;
		process_unref(m->p);
		kmem_free(m->payer, m);
	}
	memobj_unref(pool->mo);  /* frames go once no mapping is left, scrubbed */
	kmem_free(pool->base.payer, pool);
}

static void pool_destroy(struct kobj *o)
{
	struct dma_pool *pool = KOBJ_CONTAINER(o, struct dma_pool, base);

	pool->released = true;
	if (pool->fn && pcifn_bus_master(pool->fn))
		return;  /* quarantined until the function is quiet */
	pool_free(pool);
}

static const struct kobj_ops pool_ops = { .destroy = pool_destroy };

void dma_pools_settle(struct pcifn *fn, bool detach)
{
	struct dma_pool *pool = fn->pools;

	while (pool) {
		struct dma_pool *next = pool->next;

		if (pool->released)
			pool_free(pool);
		else if (detach)
			pool_unlink(pool);
		pool = next;
	}
}

/* A zeroed run of pages frames, below 2^addr_bits when that is under 2^52. */
static int pool_frames(uint64_t pages, uint32_t addr_bits, uint64_t *phys)
{
	if (addr_bits >= 52)
		return frame_alloc_contig(pages, 1, phys);
	return frame_alloc_contig_below(pages, 1, 1ull << addr_bits, phys);
}

int dma_pool_create(struct pcifn *fn, struct quota *q, uint64_t pages, uint32_t addr_bits,
		    struct kobj **out, uint64_t *device_addr)
{
	int err;
	struct dma_pool *pool = kmem_zalloc(q, sizeof *pool, &err);
	uint64_t *frames = pool ? kmem_alloc(q, pages * sizeof(uint64_t), &err) : NULL, phys;

	if (pool && frames)
		err = 0;
	if (!err && (quota_frames_used(q) > q->frames_max || pages > q->frames_max - quota_frames_used(q)))
		err = -CAPOS_EQUOTA;  /* refused before a large run is taken */
	if (!err)
		err = pool_frames(pages, addr_bits, &phys);
	if (!err) {
		for (uint64_t i = 0; i < pages; i++)
			frames[i] = phys + i * PAGE_SIZE;
		err = memobj_adopt(q, frames, pages, true, &pool->mo);
		if (err)
			frame_free_contig(phys, pages);
	}
	kmem_free(q, frames);
	if (err) {
		kmem_free(q, pool);
		return err;
	}
	kobj_init(&pool->base, CAPOS_IFACE_DMA_POOL, &pool_ops);
	pool->base.payer = q;
	pool->pages = pages;
	pool->device_addr = phys;
	pool->fn = fn;
	pool->next = fn->pools;
	fn->pools = pool;
	*out = &pool->base;
	*device_addr = phys;
	return 0;
}

/* ---------------------------------------------------------------- methods */

static struct dma_pool *call_pool(const struct kcall *call)
{
	KASSERT(call->obj->iface == CAPOS_IFACE_DMA_POOL);
	return KOBJ_CONTAINER(call->obj, struct dma_pool, base);
}

/* Where p has the pool mapped, checked against its regions now. */
static uint64_t pool_vaddr(const struct dma_pool *pool, struct process *p)
{
	struct aspace *as = process_aspace(p);
	struct vma r;

	for (const struct dma_map *m = pool->maps; m && as; m = m->next)
		if (m->p == p && aspace_region_at(as, m->va, &r) == 0 && r.kind == VMA_MEMOBJ &&
		    r.mo == pool->mo && r.start == m->va && r.first_page == 0)
			return m->va;
	return 0;
}

int kcap_dma_pool_info(struct kcall *call, const struct capos_dma_pool_info_in *in, uint32_t in_len,
		       struct capos_dma_pool_info_out *out, uint32_t *out_len)
{
	struct dma_pool *pool = call_pool(call);

	(void)in; (void)in_len;
	out->pages = pool->pages;
	out->device_addr = pool->device_addr;
	out->vaddr = pool_vaddr(pool, call->proc);
	*out_len = sizeof *out;
	return 0;
}

/* p's record (made with no address when it has none). */
static struct dma_map *map_record(struct dma_pool *pool, struct process *p, int *err)
{
	struct dma_map *m;

	for (m = pool->maps; m; m = m->next)
		if (m->p == p)
			return m;
	m = kmem_zalloc(process_quota(p), sizeof *m, err);
	if (!m)
		return NULL;
	process_ref(p);
	*m = (struct dma_map){ p, 0, pool->maps, process_quota(p) };
	pool->maps = m;
	return m;
}

int kcap_dma_pool_map(struct kcall *call, const struct capos_dma_pool_map_in *in, uint32_t in_len,
		      struct capos_dma_pool_map_out *out, uint32_t *out_len)
{
	struct dma_pool *pool = call_pool(call);
	struct dma_map *m;
	uint64_t va;
	int err = in->vaddr ? vma_check_range(in->vaddr, pool->pages) : 0;

	(void)in_len;
	*out_len = 0;
	if (err)
		return err;
	m = map_record(pool, call->proc, &err);  /* first: nothing to undo after the map */
	if (!m)
		return err;
	err = aspace_map_memobj(process_aspace(call->proc), in->vaddr, pool->mo, 0, pool->pages,
				CAPOS_PROT_READ | CAPOS_PROT_WRITE, &va);
	if (err)
		return err;
	m->va = va;
	out->vaddr = va;
	*out_len = sizeof *out;
	return 0;
}
