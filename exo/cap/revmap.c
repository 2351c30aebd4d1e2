/*
 * Memory mapped through revocable copies.  Revocation reaches everything
 * in flight (docs/ipc.md, "Revocation"): a MemoryObject reached through a
 * revocable copy and mapped (MemoryObject.map, ProcessHandle.map) must
 * not outlive the copy.  The kernel keeps no list of processes, so the
 * mapping keeps a record of itself: every map through a copy makes one
 * struct revmap — the space mapped into, the copy (the mapper's slot
 * object: the copy itself or one derived from it), and how many regions
 * of that space point at it (struct vma_via: the region it made and the
 * pieces later split from it).  Records sit on one machine-wide list.
 *
 * Cutting a MemoryObject copy (revocable_cut) walks the list and, for
 * every record whose copy no longer resolves — made through the cut copy
 * or a copy derived from it — removes its regions from its space as an
 * unmap does (frames of the object stay the object's; the mapping
 * references go; the pages leave the TLB), so a later touch faults, in
 * every process, whether it watched the copy or not.  The abort protocol
 * (revnotice.c) asks the same records whether a holder still maps the
 * memory it was lent.
 *
 * Costs.  A record is kernel memory charged to the quota of the space it
 * maps into (as its region array is); it holds one reference to the copy
 * — the copy, a small object, lives while memory is mapped through it,
 * which is what lets a revocation find the mapping — and goes when its
 * last region is unmapped, when the space is torn down (the process
 * ends), or when the copy is revoked.  Mapping through an original
 * handle makes no record and allocates nothing.
 *
 * Locking: revmap_lock guards the list.  Lock order: revmap_lock ->
 * an address space's lock -> frame and heap locks; revmap_lock ->
 * sched_lock (to resolve a copy).  A space hands a record back (its
 * release) only after dropping its own lock, and nothing takes
 * revmap_lock with sched_lock or a space's lock held.
 */
#include <capos/error.h>
#include "revocable.h"
#include "../kern/spinlock.h"
#include "../proc/aspace.h"
#include "../proc/sched.h"

struct revmap {
	struct vma_via via;      /* first: a region's via is this record */
	struct aspace *as;       /* the space mapped into; alive while on the list (teardown hands us back first) */
	struct kobj *copy;       /* the revocable copy mapped through, one reference */
	struct quota *payer;     /* the space's quota: paid for the record */
	struct revmap *next;     /* [revmap_lock] */
	struct revmap **prev;    /* [revmap_lock] NULL when off the list */
};

static struct spinlock revmap_lock = SPINLOCK_INIT;
static struct revmap *revmaps;  /* [revmap_lock] every record of a live mapping */

static void revmap_link_locked(struct revmap *rm)
{
	rm->next = revmaps;
	if (revmaps)
		revmaps->prev = &rm->next;
	rm->prev = &revmaps;
	revmaps = rm;
}

static void revmap_unlink_locked(struct revmap *rm)
{
	if (!rm->prev)
		return;
	*rm->prev = rm->next;
	if (rm->next)
		rm->next->prev = rm->prev;
	rm->next = NULL;
	rm->prev = NULL;
}

static void revmap_free(struct revmap *rm)
{
	kobj_unref(rm->copy);
	kmem_free(rm->payer, rm);
}

/* The last region went (unmap, teardown): the space calls this with no lock held. */
static void revmap_release(struct vma_via *v)
{
	struct revmap *rm = (struct revmap *)v;

	spin_lock(&revmap_lock);
	revmap_unlink_locked(rm);
	spin_unlock(&revmap_lock);
	revmap_free(rm);
}

static bool copy_resolves(struct kobj *copy)
{
	uint64_t flags = sched_lock_irqsave();
	int err;
	bool live = kobj_resolve(copy, &err) != NULL;

	sched_unlock_irqrestore(flags);
	return live;
}

int revmap_map(struct kobj *via, struct quota *payer, struct aspace *as, uint64_t va, struct memobj *mo,
	       uint64_t first_page, uint64_t pages, uint32_t prot, uint64_t *out_va)
{
	struct revmap *rm;
	int err;

	if (!via)
		return aspace_map_memobj(as, va, mo, first_page, pages, prot, out_va);
	rm = kmem_zalloc(payer, sizeof *rm, &err);
	if (!rm)
		return err;
	rm->via.release = revmap_release;
	rm->as = as;
	rm->copy = kobj_ref(via);
	rm->payer = payer;
	err = aspace_map_memobj_via(as, va, mo, first_page, pages, prot, &rm->via, out_va);
	if (err) {
		revmap_free(rm);  /* the caller's slot still holds the copy */
		return err;
	}
	/*
	 * A cut between the decode and here would have missed the record:
	 * look again once it is on the list, where any later cut finds it.
	 * (Nothing unmaps the new region before it is linked: one CPU, no
	 * preemption in kernel mode.)
	 */
	spin_lock(&revmap_lock);
	revmap_link_locked(rm);
	if (!copy_resolves(rm->copy) && aspace_remove_via(as, &rm->via)) {
		revmap_unlink_locked(rm);
		err = -CAPOS_EREVOKED;
	}
	spin_unlock(&revmap_lock);
	if (err)
		revmap_free(rm);
	return err;
}

void revmap_cut(void)
{
	struct revmap *gone = NULL, *rm, *next;

	spin_lock(&revmap_lock);
	for (rm = revmaps; rm; rm = next) {
		next = rm->next;
		if (copy_resolves(rm->copy))
			continue;
		if (!aspace_remove_via(rm->as, &rm->via))
			continue;  /* its last region went just now: its release is on the way */
		revmap_unlink_locked(rm);
		rm->next = gone;
		gone = rm;
	}
	spin_unlock(&revmap_lock);
	for (rm = gone; rm; rm = next) {
		next = rm->next;
		revmap_free(rm);  /* may drop the last reference to a copy: no lock held */
	}
}

bool revmap_maps_through(struct aspace *as, const struct revocable *copy)
{
	bool maps = false;

	spin_lock(&revmap_lock);
	for (struct revmap *rm = revmaps; rm && !maps; rm = rm->next) {
		uint64_t flags;

		if (rm->as != as)
			continue;
		flags = sched_lock_irqsave();
		maps = revocable_leads_through_locked(rm->copy, copy);
		sched_unlock_irqrestore(flags);
	}
	spin_unlock(&revmap_lock);
	return maps;
}
