/*
 * Kernel frame allocator: one frame_pool (frame_pool.c) built from the
 * boot memory map, guarded by frame_lock (taken irqsave: frames may be
 * allocated from interrupt context).  The pool's bitmaps cover every frame
 * below the highest allocatable one and live in the first usable range
 * above 1 MiB that can hold them; those frames leave the pool for good.
 *
 * Only CAPOS_MEM_USABLE is free at frame_init; frame_reclaim_boot() adds
 * BOOT_RECLAIM and EARLY_PT once vm_init has switched to the kernel's own
 * page tables.  Frames are zeroed through the direct map outside the lock.
 * Single frames and runs are taken above 1 MiB first so low memory stays
 * available for what needs it (AP start-up code, legacy DMA).
 *
 * Freeing a frame the pool does not own, or one that is already free, is
 * a kernel bug and panics.  Lock order: frame_lock is innermost.
 */
#include <capos/error.h>
#include "mm.h"
#include "frame_pool.h"
#include "memmap.h"
#include "../kern/log.h"
#include "../kern/panic.h"
#include "../kern/spinlock.h"
#include "../lib/string.h"

#define FRAME_LOW_LIMIT 256u  /* frames below 1 MiB */

static struct spinlock frame_lock = SPINLOCK_INIT;
static struct frame_pool frame_pool;       /* guarded by frame_lock */
static uint64_t frame_total_pages;         /* set once by frame_init */
static uint64_t frame_reclaimed_pages;     /* guarded by frame_lock */
static bool frame_reclaimed;               /* guarded by frame_lock */

static const struct capos_mem_range *frame_memmap(const struct capos_boot_info *bi)
{
	return phys_to_virt(bi->memmap_phys);
}

static bool frame_allocatable(uint32_t type)
{
	return memmap_is_free(type) || memmap_is_reclaimable(type);
}

/* Physical address of a usable run of pages for the bitmaps, above 1 MiB if possible. */
static uint64_t frame_find_storage(const struct capos_mem_range *map, uint32_t count, uint64_t pages)
{
	uint64_t fallback = 0;

	for (uint32_t i = 0; i < count; i++) {
		uint64_t start = map[i].phys ? map[i].phys : PAGE_SIZE;
		uint64_t avail = map[i].pages - (start - map[i].phys) / PAGE_SIZE;

		if (!memmap_is_free(map[i].type) || avail < pages)
			continue;
		if (start >= FRAME_LOW_LIMIT * PAGE_SIZE)
			return start;
		if (!fallback)
			fallback = start;
	}
	if (!fallback)
		panic("frame: no usable range can hold the %llu-page frame bitmap",
		      (unsigned long long)pages);
	return fallback;
}

static void frame_add_ranges(const struct capos_mem_range *map, uint32_t count,
			     bool (*pred)(uint32_t type), uint64_t *added)
{
	for (uint32_t i = 0; i < count; i++) {
		uint64_t before = frame_pool.owned_frames;
		int err;

		if (!pred(map[i].type))
			continue;
		err = frame_pool_add(&frame_pool, map[i].phys / PAGE_SIZE, map[i].pages);
		if (err)
			panic("frame: cannot add %s range %#llx+%llu pages (error %d)",
			      memmap_type_name(map[i].type), (unsigned long long)map[i].phys,
			      (unsigned long long)map[i].pages, err);
		*added += frame_pool.owned_frames - before;
	}
}

void frame_init(const struct capos_boot_info *bi)
{
	const struct capos_mem_range *map = frame_memmap(bi);
	uint32_t count = bi->memmap_count, bad = 0;
	uint64_t frames, words, pages, storage, added = 0;

	if (memmap_check(map, count, &bad) != 0)
		panic("frame: memory map entry %u (%#llx+%llu pages) is unsorted, overlapping or misaligned",
		      bad, (unsigned long long)map[bad].phys, (unsigned long long)map[bad].pages);
	frames = memmap_end_frame(map, count, frame_allocatable);
	words = frame_pool_storage_words(frames);
	pages = (words * sizeof(uint64_t) + PAGE_SIZE - 1) / PAGE_SIZE;
	storage = frame_find_storage(map, count, pages);
	frame_pool_init(&frame_pool, phys_to_virt(storage), frames);
	frame_pool_set_floor(&frame_pool, FRAME_LOW_LIMIT);
	frame_add_ranges(map, count, memmap_is_free, &added);
	if (frame_pool_take(&frame_pool, storage / PAGE_SIZE, pages) != 0)
		panic("frame: bitmap frames were not free");
	frame_total_pages = memmap_count_pages(map, count, memmap_is_counted_ram);
	kinfo("frame: %llu MiB usable of %llu MiB RAM; bitmap %llu KiB at %#llx covers %llu MiB",
	      (unsigned long long)(frame_pool.free_frames >> 8),
	      (unsigned long long)(frame_total_pages >> 8), (unsigned long long)(pages * 4),
	      (unsigned long long)storage, (unsigned long long)(frames >> 8));
}

void frame_reclaim_boot(const struct capos_boot_info *bi)
{
	uint64_t added = 0, flags;

	KASSERT(vm_kernel_root_phys() != 0);
	flags = spin_lock_irqsave(&frame_lock);
	if (frame_reclaimed)
		panic("frame: boot memory reclaimed twice");
	frame_add_ranges(frame_memmap(bi), bi->memmap_count, memmap_is_reclaimable, &added);
	frame_reclaimed_pages = added;
	frame_reclaimed = true;
	spin_unlock_irqrestore(&frame_lock, flags);
	kinfo("frame: reclaimed %llu KiB of loader and early page-table memory",
	      (unsigned long long)(added * 4));
}

static void frame_zero(uint64_t phys, uint64_t pages)
{
	memset(phys_to_virt(phys), 0, pages * PAGE_SIZE);
}

int frame_alloc(uint64_t *phys)
{
	uint64_t frame, flags;
	int err;

	flags = spin_lock_irqsave(&frame_lock);
	err = frame_pool_alloc(&frame_pool, &frame);
	spin_unlock_irqrestore(&frame_lock, flags);
	if (err)
		return err;
	*phys = frame * PAGE_SIZE;
	frame_zero(*phys, 1);
	return 0;
}

static int frame_alloc_run(uint64_t pages, uint64_t align_pages, uint64_t lo, uint64_t hi,
			   uint64_t *phys)
{
	uint64_t first, flags;
	int err;

	if (pages == 0 || align_pages == 0 || (align_pages & (align_pages - 1)) != 0)
		return -CAPOS_EINVAL;
	flags = spin_lock_irqsave(&frame_lock);
	err = frame_pool_alloc_run(&frame_pool, pages, align_pages, lo, hi, &first);
	if (err == -CAPOS_ENOMEM && lo > 0)
		err = frame_pool_alloc_run(&frame_pool, pages, align_pages, 0, hi, &first);
	spin_unlock_irqrestore(&frame_lock, flags);
	if (err)
		return err;
	*phys = first * PAGE_SIZE;
	frame_zero(*phys, pages);
	return 0;
}

int frame_alloc_contig(uint64_t pages, uint64_t align_pages, uint64_t *phys)
{
	return frame_alloc_run(pages, align_pages, FRAME_LOW_LIMIT, UINT64_MAX, phys);
}

int frame_alloc_contig_below(uint64_t pages, uint64_t align_pages, uint64_t limit_phys,
			     uint64_t *phys)
{
	uint64_t limit = limit_phys / PAGE_SIZE;

	return frame_alloc_run(pages, align_pages, limit > FRAME_LOW_LIMIT ? FRAME_LOW_LIMIT : 0,
			       limit, phys);
}

void frame_free_contig(uint64_t phys, uint64_t pages)
{
	uint64_t flags;
	int err = -CAPOS_EINVAL;

	KASSERT(pages > 0);
	if ((phys & (PAGE_SIZE - 1)) == 0) {
		flags = spin_lock_irqsave(&frame_lock);
		err = frame_pool_free_run(&frame_pool, phys / PAGE_SIZE, pages);
		spin_unlock_irqrestore(&frame_lock, flags);
	}
	if (err == -CAPOS_EEXIST)
		panic("frame_free: double free of %#llx (+%llu pages)", (unsigned long long)phys,
		      (unsigned long long)pages);
	if (err)
		panic("frame_free: %#llx (+%llu pages) was never an allocatable frame",
		      (unsigned long long)phys, (unsigned long long)pages);
}

void frame_free(uint64_t phys)
{
	frame_free_contig(phys, 1);
}

bool frame_is_allocated(uint64_t phys)
{
	uint64_t flags = spin_lock_irqsave(&frame_lock);
	int allocated = frame_pool_is_allocated(&frame_pool, phys / PAGE_SIZE);

	spin_unlock_irqrestore(&frame_lock, flags);
	return allocated != 0;
}

void frame_get_stats(struct frame_stats *out)
{
	uint64_t flags = spin_lock_irqsave(&frame_lock);

	out->total_pages = frame_total_pages;
	out->free_pages = frame_pool.free_frames;
	out->reclaimed_pages = frame_reclaimed_pages;
	spin_unlock_irqrestore(&frame_lock, flags);
}
