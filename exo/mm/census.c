/*
 * Memory census: a snapshot of the kernel's memory (free frames, kernel
 * page-table frames, heap objects, bytes, slabs and large pages) and an
 * exact comparison of two snapshots, for the end-of-run leak check.
 *
 * Exactness.  The heap keeps one empty slab per size class cached; the
 * census trims the heap before counting, so two snapshots with the same
 * live objects count the same slabs.  Kernel page tables are never freed
 * (vm.c); the caller makes the ones it will need before the first
 * snapshot (kstack_prepare_tables) and the report names any growth
 * separately.  Nothing is tolerated: every frame of difference is either
 * explained by a line of the report or is a leak, and both fail.
 */
#include "mm.h"
#include "heap_core.h"
#include "../kern/log.h"

void mm_census_take(struct mm_census *out)
{
	struct frame_stats fs;
	struct heap_stats hs;

	heap_trim();
	heap_get_stats(&hs);
	frame_get_stats(&fs);
	out->free_frames = fs.free_pages;
	out->kernel_table_frames = vm_kernel_table_frames();
	out->heap_objects = hs.objects;
	out->heap_bytes = hs.bytes_in_use;
	out->heap_slabs = hs.slabs;
	out->heap_large_pages = hs.large_pages;
}

static long long census_delta(uint64_t before, uint64_t after)
{
	return (long long)after - (long long)before;
}

/* The lines that say where a difference lies. */
static void census_explain(const char *tag, const struct mm_census *b, const struct mm_census *a)
{
	long long heap_pages = census_delta(b->heap_slabs, a->heap_slabs) * HEAP_BLOCK_PAGES +
			       census_delta(b->heap_large_pages, a->heap_large_pages);
	long long tables = census_delta(b->kernel_table_frames, a->kernel_table_frames);
	long long missing = census_delta(a->free_frames, b->free_frames);

	kerror("%s: heap objects %+lld (%+lld bytes), heap pages %+lld (%+lld slabs, %+lld large)",
	       tag, census_delta(b->heap_objects, a->heap_objects), census_delta(b->heap_bytes, a->heap_bytes),
	       heap_pages, census_delta(b->heap_slabs, a->heap_slabs),
	       census_delta(b->heap_large_pages, a->heap_large_pages));
	kerror("%s: kernel page-table frames %+lld; frames neither in the heap nor in kernel tables %+lld",
	       tag, tables, missing - heap_pages - tables);
}

bool mm_census_report(const char *tag, const struct mm_census *b, const struct mm_census *a)
{
	bool same = b->free_frames == a->free_frames && b->kernel_table_frames == a->kernel_table_frames &&
		    b->heap_objects == a->heap_objects && b->heap_bytes == a->heap_bytes &&
		    b->heap_slabs == a->heap_slabs && b->heap_large_pages == a->heap_large_pages;

	kinfo("%s: free frames before %llu after %llu (difference %lld)", tag,
	      (unsigned long long)b->free_frames, (unsigned long long)a->free_frames,
	      census_delta(a->free_frames, b->free_frames));
	kinfo("%s: heap %llu objects, %llu bytes in %llu slabs + %llu large pages; kernel tables %llu frames",
	      tag, (unsigned long long)a->heap_objects, (unsigned long long)a->heap_bytes,
	      (unsigned long long)a->heap_slabs, (unsigned long long)a->heap_large_pages,
	      (unsigned long long)a->kernel_table_frames);
	if (!same)
		census_explain(tag, b, a);
	return same;
}
