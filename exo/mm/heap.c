/*
 * The kernel heap: kmalloc/kzalloc/kfree over one heap_core (heap_core.c)
 * whose pages are frame runs reached through the direct map.  heap_lock
 * (irqsave) guards the core; the core calls the frame allocator with it
 * held (lock order heap_lock -> frame_lock).  A pointer handed to kfree
 * that the heap did not give out, or gives out no longer, is a kernel bug:
 * kfree panics naming the pointer and the caller.
 */
#include <capos/error.h>
#include "mm.h"
#include "heap_core.h"
#include "../kern/panic.h"
#include "../kern/spinlock.h"
#include "../lib/string.h"

static struct spinlock heap_lock = SPINLOCK_INIT;
static struct heap kheap;   /* guarded by heap_lock */
static bool heap_ready;     /* set once by heap_init */

static void *heap_frames_alloc(void *ctx, size_t pages, size_t align_pages)
{
	uint64_t phys;

	(void)ctx;
	if (frame_alloc_contig(pages, align_pages, &phys) != 0)
		return NULL;
	return phys_to_virt(phys);
}

static void heap_frames_free(void *ctx, void *p, size_t pages)
{
	(void)ctx;
	frame_free_contig(direct_virt_to_phys(p), pages);
}

void heap_init(void)
{
	static const struct heap_page_source src = {
		.alloc_pages = heap_frames_alloc,
		.free_pages = heap_frames_free,
	};

	KASSERT(!heap_ready);
	heap_core_init(&kheap, &src);
	heap_ready = true;
}

void *kmalloc(size_t size)
{
	uint64_t flags;
	void *p;

	KASSERT(heap_ready);
	flags = spin_lock_irqsave(&heap_lock);
	p = heap_core_alloc(&kheap, size);
	spin_unlock_irqrestore(&heap_lock, flags);
	return p;
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

/* The header page of a heap pointer must be in the direct map and mapped
 * before the core may read it. */
static bool heap_pointer_plausible(const void *p)
{
	uint64_t va = (uint64_t)(uintptr_t)p;
	uint64_t header = va & ~(uint64_t)(HEAP_BLOCK_SIZE - 1);

	return va >= CAPOS_HHDM_BASE && va - CAPOS_HHDM_BASE < VM_DIRECT_MAP_SIZE &&
	       vm_kernel_readable(header);
}

void kfree(void *p)
{
	uint64_t flags;
	int err = -CAPOS_EINVAL;

	if (!p)
		return;
	if (heap_pointer_plausible(p)) {
		flags = spin_lock_irqsave(&heap_lock);
		err = heap_core_free(&kheap, p);
		spin_unlock_irqrestore(&heap_lock, flags);
	}
	if (err == -CAPOS_EEXIST)
		panic("kfree: double free of %p (caller %p)", p, __builtin_return_address(0));
	if (err)
		panic("kfree: %p is not a live heap object (caller %p)", p, __builtin_return_address(0));
}

/*
 * The same for a live object the caller allocated and still owns — the
 * kernel-memory charge (kmem_*) on every allocation and free: no
 * plausibility walk and no lock, because the object's block header cannot
 * change while the object lives.
 */
size_t kmalloc_block_size(const void *p)
{
	return heap_core_usable_size(&kheap, p);
}

size_t kmalloc_usable_size(const void *p)
{
	uint64_t flags;
	size_t size = 0;

	if (!p || !heap_pointer_plausible(p))
		return 0;
	flags = spin_lock_irqsave(&heap_lock);
	size = heap_core_usable_size(&kheap, p);
	spin_unlock_irqrestore(&heap_lock, flags);
	return size;
}

void heap_get_stats(struct heap_stats *out)
{
	uint64_t flags = spin_lock_irqsave(&heap_lock);

	*out = kheap.stats;
	spin_unlock_irqrestore(&heap_lock, flags);
}

uint64_t heap_trim(void)
{
	uint64_t flags = spin_lock_irqsave(&heap_lock);
	uint64_t released = heap_core_trim(&kheap);

	spin_unlock_irqrestore(&heap_lock, flags);
	return released;
}
