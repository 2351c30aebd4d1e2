/*
 * In-kernel tests of memory management, run with "test=<name>":
 *   frames        single frames and runs: distinct, zeroed, aligned, stats
 *                 return to where they were;
 *   heap          random kmalloc/kfree stress with overlap detection;
 *   vm            the kernel tables: W^X kernel segments, NX direct map,
 *                 no identity map, an uncached MMIO mapping;
 *   memmap        the boot memory map is well formed, logged as a table,
 *                 and agrees with the frame allocator's statistics;
 *   kstack_guard  overflow a small guarded stack: must end in the fault
 *                 handler's dump and a panic verdict (never returns);
 *   frame_double_free, kfree_double
 *                 free twice: must panic naming the double free.
 * Each test logs "ktest <name>: ..." lines the QEMU tests match.
 */
#include <capos/error.h>
#include <capos/verdict.h>
#include "mm.h"
#include "heap_core.h"
#include "memmap.h"
#include "../arch/x86_64/cpu.h"
#include "../kern/boot.h"
#include "../kern/ktest.h"
#include "../kern/log.h"
#include "../kern/verdict.h"
#include "../lib/string.h"

void stack_switch_call(uint64_t top, void (*fn)(void *), void *arg);

#define MM_KTEST_FRAMES 512
#define MM_KTEST_SLOTS 256
#define MM_KTEST_ROUNDS 20000

static uint64_t mm_ktest_frames[MM_KTEST_FRAMES];

static bool mm_ktest_page_is(uint64_t phys, uint64_t value, uint64_t pages)
{
	const uint64_t *w = phys_to_virt(phys);

	for (uint64_t i = 0; i < pages * PAGE_SIZE / 8; i++)
		if (w[i] != value)
			return false;
	return true;
}

/* Allocate many single frames, tag each, check the tags survived. */
static int mm_ktest_single_frames(void)
{
	for (int i = 0; i < MM_KTEST_FRAMES; i++) {
		uint64_t p;

		KTEST_CHECK(frame_alloc(&p) == 0, "frame_alloc failed after %d frames", i);
		KTEST_CHECK(p != 0 && (p & (PAGE_SIZE - 1)) == 0, "bad frame %#llx", (unsigned long long)p);
		KTEST_CHECK(mm_ktest_page_is(p, 0, 1), "frame %#llx not zeroed", (unsigned long long)p);
		KTEST_CHECK(frame_is_allocated(p), "frame %#llx not marked allocated", (unsigned long long)p);
		memset(phys_to_virt(p), 0, PAGE_SIZE);
		*(uint64_t *)phys_to_virt(p) = p ^ 0x5a5a5a5a5a5a5a5aull;
		mm_ktest_frames[i] = p;
	}
	for (int i = 0; i < MM_KTEST_FRAMES; i++) {
		uint64_t p = mm_ktest_frames[i];

		KTEST_CHECK(*(uint64_t *)phys_to_virt(p) == (p ^ 0x5a5a5a5a5a5a5a5aull),
			    "frame %#llx handed out twice", (unsigned long long)p);
		frame_free(p);
		KTEST_CHECK(!frame_is_allocated(p), "frame %#llx still allocated", (unsigned long long)p);
	}
	kinfo("ktest frames: %d single frames distinct and zeroed", MM_KTEST_FRAMES);
	return 0;
}

static int mm_ktest_run(uint64_t pages, uint64_t align, uint64_t limit)
{
	uint64_t p;

	if (limit)
		KTEST_CHECK(frame_alloc_contig_below(pages, align, limit, &p) == 0, "run below limit");
	else
		KTEST_CHECK(frame_alloc_contig(pages, align, &p) == 0, "run of %llu pages",
			    (unsigned long long)pages);
	KTEST_CHECK(p % (align * PAGE_SIZE) == 0, "run %#llx not aligned to %llu pages",
		    (unsigned long long)p, (unsigned long long)align);
	KTEST_CHECK(!limit || p + pages * PAGE_SIZE <= limit, "run %#llx above limit", (unsigned long long)p);
	KTEST_CHECK(mm_ktest_page_is(p, 0, pages), "run %#llx not zeroed", (unsigned long long)p);
	for (uint64_t i = 0; i < pages; i++)
		KTEST_CHECK(frame_is_allocated(p + i * PAGE_SIZE), "run page not allocated");
	kinfo("ktest frames: run of %llu pages at %#llx, aligned to %llu KiB",
	      (unsigned long long)pages, (unsigned long long)p, (unsigned long long)(align * 4));
	frame_free_contig(p, pages);
	return 0;
}

KTEST(frames)
{
	struct frame_stats before, after;
	uint64_t p;

	frame_get_stats(&before);
	KTEST_CHECK(before.free_pages > 0 && before.free_pages <= before.total_pages, "stats before");
	if (mm_ktest_single_frames() || mm_ktest_run(16, 16, 0) || mm_ktest_run(512, 512, 0) ||
	    mm_ktest_run(3, 1, 0) || mm_ktest_run(4, 1, 4ull << 30))
		return -1;
	KTEST_CHECK(frame_alloc_contig(0, 1, &p) == -CAPOS_EINVAL, "zero-page run accepted");
	KTEST_CHECK(frame_alloc_contig(2, 3, &p) == -CAPOS_EINVAL, "alignment 3 accepted");
	KTEST_CHECK(frame_alloc_contig(before.total_pages + 1, 1, &p) == -CAPOS_ENOMEM, "huge run");
	KTEST_CHECK(!frame_is_allocated(0), "frame 0 is allocatable");
	frame_get_stats(&after);
	KTEST_CHECK(after.free_pages == before.free_pages, "free pages %llu, was %llu",
		    (unsigned long long)after.free_pages, (unsigned long long)before.free_pages);
	kinfo("ktest frames: stats total %llu free %llu reclaimed %llu pages, unchanged after free",
	      (unsigned long long)after.total_pages, (unsigned long long)after.free_pages,
	      (unsigned long long)after.reclaimed_pages);
	return 0;
}

/* --- heap --- */

struct mm_ktest_obj {
	uint8_t *p;
	size_t size;
};

static struct mm_ktest_obj mm_ktest_objs[MM_KTEST_SLOTS];

static uint64_t mm_ktest_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static size_t mm_ktest_size(uint64_t r)
{
	switch (r % 8) {
	case 0: return 1 + (r >> 8) % 16;
	case 1: case 2: case 3: return 1 + (r >> 8) % 256;
	case 4: case 5: return 1 + (r >> 8) % 2048;
	case 6: return 2049 + (r >> 8) % 14000;
	default: return 1 + (r >> 8) % 70000;
	}
}

static bool mm_ktest_intact(const struct mm_ktest_obj *o, uint8_t tag)
{
	for (size_t i = 0; i < o->size; i++)
		if (o->p[i] != tag)
			return false;
	return true;
}

static int mm_ktest_heap_slot(int slot, uint64_t *seed)
{
	struct mm_ktest_obj *o = &mm_ktest_objs[slot];
	uint8_t tag = (uint8_t)(slot * 7 + 1);

	if (o->p) {
		KTEST_CHECK(mm_ktest_intact(o, tag), "object %p (%zu bytes) overwritten", o->p, o->size);
		kfree(o->p);
		o->p = NULL;
		return 0;
	}
	o->size = mm_ktest_size(mm_ktest_rand(seed));
	o->p = kmalloc(o->size);
	KTEST_CHECK(o->p, "kmalloc(%zu) failed", o->size);
	KTEST_CHECK(((uintptr_t)o->p & 15) == 0, "kmalloc returned unaligned %p", o->p);
	KTEST_CHECK(kmalloc_usable_size(o->p) >= o->size, "usable size too small");
	memset(o->p, tag, o->size);
	return 0;
}

static int mm_ktest_kzalloc(void)
{
	static const size_t sizes[] = { 1, 24, 100, 2048, 2049, 9000 };

	for (unsigned i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		uint8_t *p = kmalloc(sizes[i]);

		KTEST_CHECK(p, "kmalloc(%zu)", sizes[i]);
		memset(p, 0xee, sizes[i]);
		kfree(p);
		p = kzalloc(sizes[i]);
		KTEST_CHECK(p, "kzalloc(%zu)", sizes[i]);
		for (size_t j = 0; j < sizes[i]; j++)
			KTEST_CHECK(p[j] == 0, "kzalloc(%zu) byte %zu not zero", sizes[i], j);
		kfree(p);
	}
	return 0;
}

KTEST(heap)
{
	struct heap_stats hs0, hs1;
	struct frame_stats fs0, fs1;
	uint64_t seed = 0x9e3779b97f4a7c15ull;

	heap_get_stats(&hs0);
	frame_get_stats(&fs0);
	KTEST_CHECK(kmalloc(HEAP_LARGE_MAX + 1) == NULL, "oversized kmalloc succeeded");
	if (mm_ktest_kzalloc())
		return -1;
	for (int round = 0; round < MM_KTEST_ROUNDS; round++)
		if (mm_ktest_heap_slot((int)(mm_ktest_rand(&seed) % MM_KTEST_SLOTS), &seed))
			return -1;
	for (int i = 0; i < MM_KTEST_SLOTS; i++)
		if (mm_ktest_objs[i].p && mm_ktest_heap_slot(i, &seed))
			return -1;
	heap_get_stats(&hs1);
	frame_get_stats(&fs1);
	KTEST_CHECK(hs1.objects == hs0.objects && hs1.bytes_in_use == hs0.bytes_in_use,
		    "heap holds %llu objects, was %llu", (unsigned long long)hs1.objects,
		    (unsigned long long)hs0.objects);
	KTEST_CHECK(hs1.large_pages == hs0.large_pages, "large pages leaked");
	KTEST_CHECK(fs1.free_pages + HEAP_CLASS_COUNT * HEAP_BLOCK_PAGES >= fs0.free_pages,
		    "heap kept %llu frames", (unsigned long long)(fs0.free_pages - fs1.free_pages));
	kinfo("ktest heap: %d rounds over %d slots, no overlap; %llu slabs cached",
	      MM_KTEST_ROUNDS, MM_KTEST_SLOTS, (unsigned long long)hs1.slabs);
	return 0;
}

/* --- vm --- */

static int mm_ktest_kernel_segments(const struct capos_boot_info *bi)
{
	struct pt_mapping m;

	for (uint32_t i = 0; i < bi->kseg_count; i++) {
		const struct capos_kernel_segment *seg = &bi->kseg[i];
		bool w = seg->flags & CAPOS_KSEG_W, x = seg->flags & CAPOS_KSEG_X;

		for (uint64_t p = 0; p < seg->pages; p++) {
			KTEST_CHECK(vm_kernel_walk(seg->virt + p * PAGE_SIZE, &m) == 0, "segment unmapped");
			KTEST_CHECK(!(m.flags & PT_WRITE) == !w && !(m.flags & PT_NX) == x &&
				    m.phys == seg->phys + p * PAGE_SIZE, "segment %u page %llu: flags %#x",
				    i, (unsigned long long)p, m.flags);
		}
		kinfo("ktest vm: segment %u at %#llx, %llu pages: %s%s%s", i,
		      (unsigned long long)seg->virt, (unsigned long long)seg->pages, "r",
		      w ? "w" : "-", x ? "x" : "-");
	}
	return 0;
}

KTEST(vm)
{
	const struct capos_boot_info *bi = boot_record();
	struct pt_mapping m;
	uint64_t phys;
	volatile uint32_t *lapic;

	KTEST_CHECK(vm_kernel_root_phys() == (read_cr3() & PTE_ADDR_MASK), "CR3 is not the kernel root");
	if (mm_ktest_kernel_segments(bi))
		return -1;
	KTEST_CHECK(vm_kernel_walk(bi->kseg[0].phys, &m) == -CAPOS_ENOENT, "identity map present");
	KTEST_CHECK(vm_kernel_walk(0x100000, &m) == -CAPOS_ENOENT, "low memory identity mapped");
	KTEST_CHECK(!vm_kernel_readable(0x1000), "lower half reported readable");
	KTEST_CHECK(frame_alloc(&phys) == 0, "frame_alloc");
	KTEST_CHECK(vm_kernel_walk((uint64_t)(uintptr_t)phys_to_virt(phys), &m) == 0 &&
		    (m.flags & PT_NX) && (m.flags & PT_WRITE), "direct map of a free frame: flags %#x", m.flags);
	frame_free(phys);
	lapic = vm_map_mmio(0xfee00030, 4);
	KTEST_CHECK(lapic && ((uintptr_t)lapic & 0xfff) == 0x30, "vm_map_mmio offset: %p", (void *)lapic);
	KTEST_CHECK(vm_kernel_walk((uintptr_t)lapic, &m) == 0 && (m.flags & PT_NOCACHE) &&
		    (m.flags & PT_NX) && m.phys == 0xfee00000, "MMIO mapping flags %#x", m.flags);
	KTEST_CHECK(vm_kernel_readable((uintptr_t)lapic), "MMIO page not readable");
	KTEST_CHECK(!vm_kernel_readable(((uintptr_t)lapic & ~0xfffull) + PAGE_SIZE), "MMIO gap mapped");
	kinfo("ktest vm: LAPIC version register %#x via MMIO window at %p", *lapic, (void *)lapic);
	KTEST_CHECK(vm_map_mmio(0, 0) == NULL, "empty MMIO mapping accepted");
	kinfo("ktest vm: no identity map, direct map NX, MMIO uncached");
	return 0;
}

/* --- memmap --- */

static void mm_ktest_log_ranges(const struct capos_mem_range *map, uint32_t count)
{
	kinfo("ktest memmap: %u ranges", count);
	for (uint32_t i = 0; i < count; i++)
		kinfo("  0x%012llx-0x%012llx %9llu KiB  %s", (unsigned long long)map[i].phys,
		      (unsigned long long)(map[i].phys + map[i].pages * PAGE_SIZE - 1),
		      (unsigned long long)(map[i].pages * 4), memmap_type_name(map[i].type));
}

/* Each range's first page: in the allocator only when allocatable, in the
 * direct map only when RAM-like. */
static int mm_ktest_range_state(const struct capos_mem_range *r)
{
	bool mapped = vm_kernel_readable((uint64_t)(uintptr_t)phys_to_virt(r->phys));

	KTEST_CHECK(mapped == memmap_is_direct_mapped(r->type), "%s range %#llx: direct map %d",
		    memmap_type_name(r->type), (unsigned long long)r->phys, mapped);
	if (!memmap_is_free(r->type) && !memmap_is_reclaimable(r->type))
		KTEST_CHECK(!frame_is_allocated(r->phys) && !frame_is_allocated(r->phys + (r->pages - 1) * PAGE_SIZE),
			    "%s range %#llx is in the frame allocator", memmap_type_name(r->type),
			    (unsigned long long)r->phys);
	return 0;
}

/* Reclaimable pages as frame_reclaim_boot counts them: frame 0 never joins. */
static uint64_t mm_ktest_reclaimable(const struct capos_mem_range *map, uint32_t count)
{
	uint64_t pages = memmap_count_pages(map, count, memmap_is_reclaimable);

	for (uint32_t i = 0; i < count; i++)
		if (map[i].phys == 0 && memmap_is_reclaimable(map[i].type))
			pages--;
	return pages;
}

KTEST(memmap)
{
	const struct capos_boot_info *bi = boot_record();
	const struct capos_mem_range *map = phys_to_virt(bi->memmap_phys);
	uint32_t count = bi->memmap_count, bad = 0;
	uint64_t usable, reclaim;
	struct frame_stats fs;

	mm_ktest_log_ranges(map, count);
	KTEST_CHECK(memmap_check(map, count, &bad) == 0, "entry %u unsorted, overlapping or misaligned", bad);
	for (uint32_t i = 0; i < count; i++)
		if (mm_ktest_range_state(&map[i]))
			return -1;
	usable = memmap_count_pages(map, count, memmap_is_free);
	reclaim = mm_ktest_reclaimable(map, count);
	frame_get_stats(&fs);
	kinfo("ktest memmap: usable %llu MiB, reclaimed %llu KiB, RAM %llu MiB, free %llu MiB",
	      (unsigned long long)(usable >> 8), (unsigned long long)(reclaim * 4),
	      (unsigned long long)(fs.total_pages >> 8), (unsigned long long)(fs.free_pages >> 8));
	KTEST_CHECK(usable > (100ull << 20) / PAGE_SIZE, "only %llu MiB usable", (unsigned long long)(usable >> 8));
	KTEST_CHECK(fs.total_pages == memmap_count_pages(map, count, memmap_is_counted_ram), "total pages");
	KTEST_CHECK(fs.reclaimed_pages == reclaim, "reclaimed %llu pages, map says %llu",
		    (unsigned long long)fs.reclaimed_pages, (unsigned long long)reclaim);
	KTEST_CHECK(fs.free_pages < usable + reclaim && fs.free_pages > usable / 2, "free pages %llu",
		    (unsigned long long)fs.free_pages);
	kinfo("ktest memmap: sorted, aligned, disjoint; frame stats agree");
	return 0;
}

/* --- kstack_guard --- */

static __attribute__((noinline)) uint64_t mm_ktest_recurse(volatile uint8_t *up, uint64_t depth)
{
	volatile uint8_t frame[480];

	frame[0] = (uint8_t)depth;
	frame[sizeof frame - 1] = up ? up[0] : 0;
	if (depth > (1ull << 40))  /* never: keeps the recursion from looking infinite */
		return 0;
	return mm_ktest_recurse(frame, depth + 1) + frame[sizeof frame - 1];
}

static void mm_ktest_overflow(void *arg)
{
	uint64_t sum = mm_ktest_recurse(NULL, (uint64_t)(uintptr_t)arg);

	kerror("ktest kstack_guard: recursion returned (%llu): the guard page did not fault",
	       (unsigned long long)sum);
	verdict_exit(CAPOS_VERDICT_FAIL);
}

static int mm_ktest_stack_layout(void)
{
	struct kstack a, b;

	KTEST_CHECK(kstack_alloc(&a, 0) == -CAPOS_EINVAL && kstack_alloc(&a, KSTACK_MAX_PAGES + 1) == -CAPOS_EINVAL,
		    "bad stack sizes accepted");
	KTEST_CHECK(kstack_alloc(&a, KSTACK_MAX_PAGES) == 0 && kstack_alloc(&b, 1) == 0, "kstack_alloc");
	KTEST_CHECK(vm_kernel_readable(a.bottom) && vm_kernel_readable(a.top - 8), "stack unmapped");
	KTEST_CHECK(!vm_kernel_readable(a.bottom - PAGE_SIZE) && !vm_kernel_readable(a.top),
		    "no guard around [%#llx, %#llx)", (unsigned long long)a.bottom, (unsigned long long)a.top);
	KTEST_CHECK(b.top - b.bottom == PAGE_SIZE && (b.top & 15) == 0, "stack shape");
	kstack_free(&a);
	KTEST_CHECK(!vm_kernel_readable(b.bottom - PAGE_SIZE), "guard mapped");
	kstack_free(&b);
	return 0;
}

KTEST(kstack_guard)
{
	struct kstack s;

	if (mm_ktest_stack_layout())
		return -1;
	KTEST_CHECK(kstack_alloc(&s, 2) == 0, "kstack_alloc");
	KTEST_CHECK(!vm_kernel_readable(s.bottom - PAGE_SIZE), "guard page mapped");
	kinfo("ktest kstack_guard: stack [%#llx, %#llx), guard page at %#llx; overflowing it now,"
	      " expect a double fault and a panic", (unsigned long long)s.bottom,
	      (unsigned long long)s.top, (unsigned long long)(s.bottom - PAGE_SIZE));
	stack_switch_call(s.top, mm_ktest_overflow, (void *)1);
	return -1;  /* not reached: stack_switch_call does not return */
}

/* --- deliberate bugs: each must end in a panic naming it --- */

KTEST(frame_double_free)
{
	uint64_t p;

	KTEST_CHECK(frame_alloc(&p) == 0, "frame_alloc");
	frame_free(p);
	kinfo("ktest frame_double_free: freeing %#llx a second time, expect a panic", (unsigned long long)p);
	frame_free(p);
	return -1;  /* not reached */
}

KTEST(kfree_double)
{
	void *p = kmalloc(48);

	KTEST_CHECK(p, "kmalloc");
	kfree(p);
	kinfo("ktest kfree_double: freeing %p a second time, expect a panic", p);
	kfree(p);
	return -1;  /* not reached */
}
