/*
 * The page tables of a user address space: the pagetable-core hooks that
 * charge every table frame to the space's quota, and the reclamation of
 * lower-half tables an unmap left empty (the pagetable core never frees
 * tables on unmap, because the kernel's lockless walks rely on that; user
 * tables are only walked under the space's lock, so they can go).
 *
 * After an upper-level entry is cleared the freed table may still sit in
 * this CPU's paging-structure caches; an invlpg of any address drops them
 * all (for the current address space), so when the space is loaded we
 * invalidate once per cleared entry before the frame is reused.
 */
#include <stdbool.h>
#include "aspace.h"
#include "uvm_env.h"

#define ASPACE_USER_SLOTS 256u  /* PML4 entries of the lower half */

static int aspace_pt_alloc(void *ctx, uint64_t *phys)
{
	struct aspace *as = ctx;
	int err = quota_charge_frames(as->q, 1);

	if (err)
		return err;
	err = uvm_frame_alloc(phys);
	if (err)
		quota_release_frames(as->q, 1);
	return err;
}

static void aspace_pt_free(void *ctx, uint64_t phys)
{
	struct aspace *as = ctx;

	uvm_frame_free(phys);
	quota_release_frames(as->q, 1);
}

static uint64_t *aspace_pt_ptr(void *ctx, uint64_t phys)
{
	(void)ctx;
	return uvm_phys_ptr(phys);
}

static void aspace_pt_invalidate(void *ctx, uint64_t va)
{
	struct aspace *as = ctx;

	if (aspace_is_active(as))
		uvm_flush_page(va);
}

void aspace_pt_init_ops(struct aspace *as)
{
	as->ops.alloc_table = aspace_pt_alloc;
	as->ops.free_table = aspace_pt_free;
	as->ops.table_ptr = aspace_pt_ptr;
	as->ops.invalidate = aspace_pt_invalidate;
	as->ops.ctx = as;
}

static bool aspace_pt_empty(const uint64_t *t)
{
	for (unsigned i = 0; i < PT_ENTRIES; i++)
		if (t[i] & PTE_PRESENT)
			return false;
	return true;
}

/* Prune under the table at `table` (a level-`level` table, 3 = PML4,
 * covering addresses from base) for [start, end). */
static void aspace_pt_prune_table(struct aspace *as, uint64_t *table, int level, uint64_t base,
				  uint64_t start, uint64_t end)
{
	uint64_t span = 1ull << (12 + 9 * level);
	unsigned limit = level == 3 ? ASPACE_USER_SLOTS : PT_ENTRIES;

	for (unsigned i = 0; i < limit; i++) {
		uint64_t lo = base + i * span, phys;
		uint64_t *child;

		if (lo >= end || lo + span <= start || !(table[i] & PTE_PRESENT) || (table[i] & PTE_HUGE))
			continue;
		phys = table[i] & PTE_ADDR_MASK;
		child = aspace_pt_ptr(as, phys);
		if (level > 1)
			aspace_pt_prune_table(as, child, level - 1, lo, start, end);
		if (!aspace_pt_empty(child))
			continue;
		table[i] = 0;
		aspace_pt_invalidate(as, start);
		aspace_pt_free(as, phys);
	}
}

void aspace_pt_prune(struct aspace *as, uint64_t start, uint64_t end)
{
	aspace_pt_prune_table(as, aspace_pt_ptr(as, as->pt.root), 3, 0, start, end);
}
