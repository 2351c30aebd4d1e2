/*
 * User address spaces: creation and teardown, mapping, unmapping and
 * protection of regions; see aspace.h for the contract.  Every public
 * entry validates all arguments and reserves every region slot it may
 * need before it changes anything; the only step that can fail midway is
 * filling a new region's pages (frame or table exhausted), and that is
 * rolled back page by page, with emptied tables freed, before returning.
 */
#include <capos/error.h>
#include "aspace.h"
#include "memobj.h"
#include "uvm_env.h"
#include "../kern/panic.h"

#define ASPACE_KERNEL_SLOT 256u  /* first PML4 entry of the kernel half */
#define ASPACE_DEVICE_PIECES 8u  /* pieces of one device mapping (a BAR: at most 5) */

/* What an unmap or protect is allowed to touch. */
struct aspace_scope {
	bool kernel;               /* any kind (aspace_remove) */
	const struct memobj *only; /* only mappings of this object */
	uint32_t prot;             /* the new protection of a protect (0: unmap) */
};

/* Page-table flags of region r's pages: device registers are uncached
 * and never executable whatever prot says. */
static uint32_t aspace_pt_flags(const struct vma *r, uint32_t prot)
{
	uint32_t f = PT_USER | ((prot & CAPOS_PROT_WRITE) ? PT_WRITE : 0) |
		     ((prot & CAPOS_PROT_EXEC) ? 0 : PT_NX);

	return r->kind == VMA_DEVICE ? f | PT_NX | PT_NOCACHE : f;
}

int aspace_create(struct quota *q, struct aspace **out)
{
	int err;
	struct aspace *as = kmem_zalloc(q, sizeof(*as), &err);  /* holds our reference on q */
	const uint64_t *kroot;
	uint64_t *root;

	if (!as)
		return err;
	as->q = q;
	vma_set_init(&as->regions, q);
	aspace_pt_init_ops(as);
	err = pt_create(&as->pt, &as->ops);
	if (err) {
		kmem_free(q, as);
		return err;
	}
	kroot = uvm_phys_ptr(uvm_kernel_root());
	root = uvm_phys_ptr(as->pt.root);
	for (unsigned i = ASPACE_KERNEL_SLOT; i < PT_ENTRIES; i++)
		root[i] = kroot[i];
	*out = as;
	return 0;
}

/* Unmap pages [va, va + pages) of region r, freeing owned frames. */
static void aspace_clear_pages(struct aspace *as, const struct vma *r, uint64_t va, uint64_t pages)
{
	as->ua.valid = false;
	for (uint64_t i = 0; i < pages; i++) {
		struct pt_mapping m;
		int got = pt_unmap(&as->pt, va + i * CAPOS_PAGE_SIZE, &m);

		KASSERT(got == 0 || got == 1);
		if (got == 1 && vma_owns_frames(r->kind)) {
			uvm_frame_free(m.phys);
			quota_release_frames(as->q, 1);
		}
	}
}

/* Unmap a whole region and drop the frames and object it holds (tables stay). */
static void aspace_drop_pages(struct aspace *as, const struct vma *r)
{
	if (r->kind != VMA_GUARD)
		aspace_clear_pages(as, r, r->start, r->pages);
	if (r->kind == VMA_MEMOBJ)
		memobj_map_put(r->mo);
}

/* The same, and count down the record of a mapping made through a
 * revocable copy: its last region queues it to be handed back.  Lock held. */
static void aspace_drop_region(struct aspace *as, const struct vma *r)
{
	aspace_drop_pages(as, r);
	if (r->via && --r->via->regions == 0) {
		r->via->dead_next = as->dead_vias;
		as->dead_vias = r->via;
	}
}

/* Hand back the records whose last region went (no lock held: their
 * owner takes its own lock, which comes before ours). */
static void aspace_release_vias(struct aspace *as)
{
	uint64_t flags = uvm_lock(&as->lock);
	struct vma_via *v = as->dead_vias;

	as->dead_vias = NULL;
	uvm_unlock(&as->lock, flags);
	while (v) {
		struct vma_via *next = v->dead_next;

		v->dead_next = NULL;
		v->release(v);
		v = next;
	}
}

void aspace_destroy(struct aspace *as)
{
	uint64_t leaves, flags;

	if (aspace_is_active(as))
		aspace_activate(NULL);
	flags = uvm_lock(&as->lock);  /* a revocation may be looking at our regions */
	for (uint32_t i = 0; i < as->regions.count; i++)
		aspace_drop_region(as, &as->regions.v[i]);
	vma_remove(&as->regions, 0, as->regions.count);
	uvm_unlock(&as->lock, flags);
	aspace_release_vias(as);
	leaves = pt_destroy(&as->pt, 0, ASPACE_KERNEL_SLOT, 1);
	KASSERT(leaves == 0);
	vma_set_fini(&as->regions);
	kmem_free(as->q, as);
}

bool aspace_is_active(const struct aspace *as)
{
	return uvm_current_root() == as->pt.root;
}

void aspace_activate(struct aspace *as)
{
	uint64_t root = as ? as->pt.root : uvm_kernel_root();

	if (uvm_current_root() != root)
		uvm_load_root(root);
}

uint64_t aspace_root_phys(const struct aspace *as)
{
	return as->pt.root;
}

/* The frame for page i of new region r: a fresh charged frame, an object
 * page, or the caller's kernel frame. */
static int aspace_page_frame(struct aspace *as, const struct vma *r, uint64_t i,
			     const uint64_t *phys, uint64_t *frame)
{
	int err;

	if (r->kind == VMA_MEMOBJ) {
		*frame = memobj_frame(r->mo, r->first_page + i);
		return 0;
	}
	if (r->kind == VMA_RING) {
		*frame = phys[i];
		return 0;
	}
	if (r->kind == VMA_DEVICE) {
		*frame = (r->first_page + i) * CAPOS_PAGE_SIZE;
		return 0;
	}
	err = quota_charge_frames(as->q, 1);
	if (err)
		return err;
	err = uvm_frame_alloc(frame);
	if (err)
		quota_release_frames(as->q, 1);
	return err;
}

static void aspace_put_frame(struct aspace *as, const struct vma *r, uint64_t frame)
{
	if (vma_owns_frames(r->kind)) {
		uvm_frame_free(frame);
		quota_release_frames(as->q, 1);
	}
}

/* Map every page of the new region r; on failure nothing stays. */
static int aspace_fill(struct aspace *as, const struct vma *r, const uint64_t *phys)
{
	uint32_t flags = aspace_pt_flags(r, r->prot);

	if (r->kind == VMA_GUARD)
		return 0;
	for (uint64_t i = 0; i < r->pages; i++) {
		uint64_t frame, va = r->start + i * CAPOS_PAGE_SIZE;
		int err = aspace_page_frame(as, r, i, phys, &frame);

		if (!err) {
			err = pt_map(&as->pt, va, frame, PT_SIZE_4K, flags);
			if (err)
				aspace_put_frame(as, r, frame);
		}
		if (err) {
			aspace_clear_pages(as, r, r->start, i);
			aspace_pt_prune(as, r->start, vma_end(r));
			return err;
		}
	}
	return 0;
}

/* Pick (va 0) or check the address of a new region of r->pages pages. */
static int aspace_place(struct aspace *as, uint64_t va, struct vma *r)
{
	int err;

	if (va == 0)
		return r->pages ? vma_find_free(&as->regions, r->pages, &r->start) : -CAPOS_EINVAL;
	err = vma_check_range(va, r->pages);
	if (err)
		return err;
	if (vma_overlaps(&as->regions, va, r->pages))
		return -CAPOS_EEXIST;
	r->start = va;
	return 0;
}

/* Fast refusal of a request bigger than the quota has left (the real
 * charge happens page by page). */
static int aspace_quota_precheck(struct aspace *as, const struct vma *r)
{
	uint64_t used = quota_frames_used(as->q);

	if (!vma_owns_frames(r->kind))
		return 0;
	if (used > as->q->frames_max || r->pages > as->q->frames_max - used)
		return -CAPOS_EQUOTA;
	return 0;
}

/* Place, fill and record region r (prot and kind already checked). */
static int aspace_add(struct aspace *as, uint64_t va, struct vma *r, const uint64_t *phys,
		      uint64_t *out_va)
{
	uint64_t flags = uvm_lock(&as->lock);
	int err = aspace_place(as, va, r);

	if (!err)
		err = aspace_quota_precheck(as, r);
	if (!err)
		err = vma_reserve(&as->regions, 1);
	if (!err)
		err = aspace_fill(as, r, phys);
	if (!err) {
		if (r->kind == VMA_MEMOBJ)
			memobj_map_get(r->mo);
		if (r->via)
			r->via->regions = 1;
		vma_insert(&as->regions, r);
	}
	uvm_unlock(&as->lock, flags);
	if (!err && out_va)
		*out_va = r->start;
	return err;
}

int aspace_map_owned(struct aspace *as, uint64_t va, uint64_t pages, uint32_t prot,
		     uint32_t kind, uint64_t *out_va)
{
	struct vma r = { .pages = pages, .prot = prot, .kind = kind };
	int err = vma_check_prot(prot);

	if (err)
		return err;
	if (!vma_owns_frames(kind))
		return -CAPOS_EINVAL;
	return aspace_add(as, va, &r, NULL, out_va);
}

int aspace_map_anon(struct aspace *as, uint64_t va, uint64_t pages, uint32_t prot, uint64_t *out_va)
{
	return aspace_map_owned(as, va, pages, prot, VMA_ANON, out_va);
}

int aspace_map_guard(struct aspace *as, uint64_t va, uint64_t pages, uint64_t *out_va)
{
	struct vma r = { .pages = pages, .kind = VMA_GUARD };

	return aspace_add(as, va, &r, NULL, out_va);
}

int aspace_map_frames(struct aspace *as, uint64_t va, const uint64_t *phys, uint64_t pages,
		      uint32_t prot, uint32_t kind, uint64_t *out_va)
{
	struct vma r = { .pages = pages, .prot = prot, .kind = kind };
	int err = vma_check_prot(prot);

	if (err)
		return err;
	if (kind != VMA_RING || !phys)
		return -CAPOS_EINVAL;
	return aspace_add(as, va, &r, phys, out_va);
}

int aspace_map_memobj(struct aspace *as, uint64_t va, struct memobj *mo, uint64_t first_page,
		      uint64_t pages, uint32_t prot, uint64_t *out_va)
{
	return aspace_map_memobj_via(as, va, mo, first_page, pages, prot, NULL, out_va);
}

int aspace_map_memobj_via(struct aspace *as, uint64_t va, struct memobj *mo, uint64_t first_page,
			  uint64_t pages, uint32_t prot, struct vma_via *via, uint64_t *out_va)
{
	struct vma r = { .pages = pages, .prot = prot, .kind = VMA_MEMOBJ, .mo = mo,
			 .first_page = first_page, .via = via };
	uint64_t size = memobj_pages(mo);
	int err = vma_check_prot(prot);

	if (!err)
		err = memobj_check_prot(mo, prot);
	if (err)
		return err;
	if (pages == 0)
		return -CAPOS_EINVAL;
	if (first_page >= size || pages > size - first_page)
		return -CAPOS_ERANGE;
	return aspace_add(as, va, &r, NULL, out_va);
}

/* The regions of a device mapping, laid out from start. */
static void aspace_device_regions(uint64_t start, const struct aspace_piece *pieces, uint32_t n,
				  uint32_t prot, const void *owner, struct vma *out)
{
	for (uint32_t i = 0; i < n; i++) {
		out[i] = (struct vma){ .start = start, .pages = pieces[i].pages, .owner = owner,
				       .kind = pieces[i].hole ? VMA_GUARD : VMA_DEVICE,
				       .prot = pieces[i].hole ? 0 : prot,
				       .first_page = pieces[i].phys / CAPOS_PAGE_SIZE };
		start = vma_end(&out[i]);
	}
}

static int aspace_device_locked(struct aspace *as, uint64_t va, struct vma *r, uint32_t n, uint64_t total)
{
	struct vma whole = { .pages = total };
	int err = aspace_place(as, va, &whole);

	if (!err)
		err = vma_reserve(&as->regions, n);
	if (err)
		return err;
	for (uint32_t i = 0; i < n; i++)
		r[i].start += whole.start;  /* regions were laid out from 0 */
	for (uint32_t i = 0; i < n; i++) {
		err = aspace_fill(as, &r[i], NULL);
		if (err) {
			for (uint32_t j = 0; j < i; j++)
				if (r[j].kind != VMA_GUARD)
					aspace_clear_pages(as, &r[j], r[j].start, r[j].pages);
			aspace_pt_prune(as, whole.start, vma_end(&whole));
			return err;
		}
	}
	for (uint32_t i = 0; i < n; i++)
		vma_insert(&as->regions, &r[i]);
	return 0;
}

int aspace_map_device(struct aspace *as, uint64_t va, const struct aspace_piece *pieces, uint32_t n,
		      uint32_t prot, const void *owner, uint64_t *out_va)
{
	struct vma r[ASPACE_DEVICE_PIECES];
	uint64_t total = 0, flags;
	int err = vma_check_prot(prot);

	if (err)
		return err;
	if (prot & CAPOS_PROT_EXEC)
		return -CAPOS_EPERM;
	if (n == 0 || n > ASPACE_DEVICE_PIECES || !owner)
		return -CAPOS_EINVAL;
	for (uint32_t i = 0; i < n; i++) {
		if (pieces[i].pages == 0 || pieces[i].pages > CAPOS_USER_MAX / CAPOS_PAGE_SIZE ||
		    (pieces[i].phys & (CAPOS_PAGE_SIZE - 1)))
			return -CAPOS_EINVAL;
		total += pieces[i].pages;
	}
	if (total > CAPOS_USER_MAX / CAPOS_PAGE_SIZE)
		return -CAPOS_ERANGE;
	aspace_device_regions(0, pieces, n, prot, owner, r);
	flags = uvm_lock(&as->lock);
	err = aspace_device_locked(as, va, r, n, total);
	uvm_unlock(&as->lock, flags);
	if (!err && out_va)
		*out_va = r[0].start;
	return err;
}

uint32_t aspace_remove_owned(struct aspace *as, const void *owner)
{
	uint64_t flags = uvm_lock(&as->lock);
	uint32_t removed = 0;

	for (uint32_t i = 0; i < as->regions.count;) {
		struct vma r = as->regions.v[i];

		if (!owner || r.owner != owner) {
			i++;
			continue;
		}
		aspace_drop_region(as, &r);
		vma_remove(&as->regions, i, 1);
		aspace_pt_prune(as, r.start, vma_end(&r));
		removed++;
	}
	uvm_unlock(&as->lock, flags);
	aspace_release_vias(as);
	return removed;
}

bool aspace_remove_via(struct aspace *as, struct vma_via *via)
{
	uint64_t flags = uvm_lock(&as->lock);
	bool ours = via->regions > 0;

	for (uint32_t i = 0; ours && i < as->regions.count;) {
		struct vma r = as->regions.v[i];

		if (r.via != via) {
			i++;
			continue;
		}
		aspace_drop_pages(as, &r);  /* not counted down: the caller keeps via */
		vma_remove(&as->regions, i, 1);
		aspace_pt_prune(as, r.start, vma_end(&r));
	}
	via->regions = 0;
	uvm_unlock(&as->lock, flags);
	return ours;
}

/* Stack placement: the guard and the stack as one range ending at top. */
static int aspace_place_stack(struct aspace *as, uint64_t top, uint64_t total, uint64_t *bottom)
{
	if (top == 0)
		return vma_find_free(&as->regions, total, bottom);
	if (top & (CAPOS_PAGE_SIZE - 1))
		return -CAPOS_EINVAL;
	if (top <= CAPOS_USER_MIN || top > CAPOS_USER_MAX || total > (top - CAPOS_USER_MIN) / CAPOS_PAGE_SIZE)
		return -CAPOS_ERANGE;
	*bottom = top - total * CAPOS_PAGE_SIZE;
	return vma_overlaps(&as->regions, *bottom, total) ? -CAPOS_EEXIST : 0;
}

static int aspace_stack_locked(struct aspace *as, uint64_t top, struct vma *guard, struct vma *stack)
{
	uint64_t total = guard->pages + stack->pages;
	int err = aspace_place_stack(as, top, total, &guard->start);

	if (!err)
		err = aspace_quota_precheck(as, stack);
	if (!err)
		err = vma_reserve(&as->regions, 2);
	if (err)
		return err;
	stack->start = guard->start + guard->pages * CAPOS_PAGE_SIZE;
	err = aspace_fill(as, stack, NULL);
	if (err)
		return err;
	vma_insert(&as->regions, guard);
	vma_insert(&as->regions, stack);
	return 0;
}

int aspace_map_stack(struct aspace *as, uint64_t top, uint64_t pages, uint64_t guard_pages,
		     uint64_t *out_top)
{
	struct vma guard = { .pages = guard_pages, .kind = VMA_GUARD };
	struct vma stack = { .pages = pages, .prot = CAPOS_PROT_READ | CAPOS_PROT_WRITE,
			     .kind = VMA_STACK };
	uint64_t flags;
	int err;

	if (pages == 0 || guard_pages == 0)
		return -CAPOS_EINVAL;
	if (pages > CAPOS_USER_MAX / CAPOS_PAGE_SIZE || guard_pages > CAPOS_USER_MAX / CAPOS_PAGE_SIZE)
		return -CAPOS_ERANGE;
	flags = uvm_lock(&as->lock);
	err = aspace_stack_locked(as, top, &guard, &stack);
	uvm_unlock(&as->lock, flags);
	if (!err && out_top)
		*out_top = vma_end(&stack);
	return err;
}

/* 1 when making a region boundary at va would split a region. */
static uint32_t aspace_splits_needed(const struct aspace *as, uint64_t va)
{
	int i = vma_find(&as->regions, va);

	return i >= 0 && as->regions.v[i].start != va;
}

/* Check that [va, va + pages) may be edited within scope; on success the
 * slots the splits at its ends need are reserved. */
static int aspace_check_edit(struct aspace *as, uint64_t va, uint64_t pages,
			     const struct aspace_scope *scope)
{
	uint64_t end = va + pages * CAPOS_PAGE_SIZE;
	uint32_t first, stop;
	int err = vma_span(&as->regions, va, pages, &first, &stop);

	if (err)
		return err;
	for (uint32_t i = first; i < stop; i++) {
		const struct vma *r = &as->regions.v[i];

		if (scope->only && (r->kind != VMA_MEMOBJ || r->mo != scope->only))
			return -CAPOS_ENOENT;
		if (!scope->kernel && (r->kind == VMA_GUARD || r->kind == VMA_RING))
			return -CAPOS_EPERM;
		if (r->kind == VMA_DEVICE && (scope->prot & CAPOS_PROT_EXEC))
			return -CAPOS_EPERM;
		if (r->kind == VMA_MEMOBJ && memobj_check_prot(r->mo, scope->prot))
			return -CAPOS_EPERM;
	}
	return vma_reserve(&as->regions, aspace_splits_needed(as, va) + aspace_splits_needed(as, end));
}

/* Split regions at both ends of [va, end); returns the regions inside. */
static void aspace_split_range(struct aspace *as, uint64_t va, uint64_t end, uint32_t *first,
			       uint32_t *stop)
{
	uint64_t bounds[2] = { va, end };
	int err;

	for (int b = 0; b < 2; b++) {
		int piece = vma_split(&as->regions, bounds[b]);

		if (piece >= 0 && as->regions.v[piece].kind == VMA_MEMOBJ)
			memobj_map_get(as->regions.v[piece].mo);
		if (piece >= 0 && as->regions.v[piece].via)
			as->regions.v[piece].via->regions++;
	}
	err = vma_span(&as->regions, va, (end - va) / CAPOS_PAGE_SIZE, first, stop);
	KASSERT(err == 0);
}

static int aspace_unmap_scoped(struct aspace *as, uint64_t va, uint64_t pages,
			       const struct aspace_scope *scope)
{
	uint64_t flags, end = va + pages * CAPOS_PAGE_SIZE;
	uint32_t first, stop;
	int err = vma_check_range(va, pages);

	if (err)
		return err;
	flags = uvm_lock(&as->lock);
	err = aspace_check_edit(as, va, pages, scope);
	if (!err) {
		aspace_split_range(as, va, end, &first, &stop);
		for (uint32_t i = first; i < stop; i++)
			aspace_drop_region(as, &as->regions.v[i]);
		vma_remove(&as->regions, first, stop - first);
		aspace_pt_prune(as, va, end);
	}
	uvm_unlock(&as->lock, flags);
	aspace_release_vias(as);
	return err;
}

static void aspace_protect_region(struct aspace *as, struct vma *r, uint32_t prot)
{
	uint32_t pt_flags = aspace_pt_flags(r, prot);

	as->ua.valid = false;
	for (uint64_t i = 0; i < r->pages; i++) {
		int err = pt_protect(&as->pt, r->start + i * CAPOS_PAGE_SIZE, pt_flags);

		KASSERT(err == 0);
	}
	r->prot = prot;
}

static int aspace_protect_scoped(struct aspace *as, uint64_t va, uint64_t pages, uint32_t prot,
				 const struct aspace_scope *scope)
{
	uint64_t flags, end = va + pages * CAPOS_PAGE_SIZE;
	uint32_t first, stop;
	int err = vma_check_prot(prot);

	if (!err)
		err = vma_check_range(va, pages);
	if (err)
		return err;
	flags = uvm_lock(&as->lock);
	err = aspace_check_edit(as, va, pages, scope);
	if (!err) {
		aspace_split_range(as, va, end, &first, &stop);
		for (uint32_t i = first; i < stop; i++)
			aspace_protect_region(as, &as->regions.v[i], prot);
		vma_merge(&as->regions, first, stop);
	}
	uvm_unlock(&as->lock, flags);
	return err;
}

int aspace_unmap(struct aspace *as, uint64_t va, uint64_t pages)
{
	const struct aspace_scope scope = { false, NULL, 0 };

	return aspace_unmap_scoped(as, va, pages, &scope);
}

int aspace_unmap_memobj(struct aspace *as, uint64_t va, uint64_t pages, const struct memobj *mo)
{
	const struct aspace_scope scope = { false, mo, 0 };

	return aspace_unmap_scoped(as, va, pages, &scope);
}

int aspace_remove(struct aspace *as, uint64_t va, uint64_t pages)
{
	const struct aspace_scope scope = { true, NULL, 0 };

	return aspace_unmap_scoped(as, va, pages, &scope);
}

int aspace_protect(struct aspace *as, uint64_t va, uint64_t pages, uint32_t prot)
{
	const struct aspace_scope scope = { false, NULL, prot };

	return aspace_protect_scoped(as, va, pages, prot, &scope);
}

int aspace_protect_memobj(struct aspace *as, uint64_t va, uint64_t pages, uint32_t prot,
			  const struct memobj *mo)
{
	const struct aspace_scope scope = { false, mo, prot };

	return aspace_protect_scoped(as, va, pages, prot, &scope);
}

int aspace_region_at(struct aspace *as, uint64_t va, struct vma *out)
{
	uint64_t flags = uvm_lock(&as->lock);
	int i = vma_find(&as->regions, va);

	if (i >= 0)
		*out = as->regions.v[i];
	uvm_unlock(&as->lock, flags);
	return i >= 0 ? 0 : -CAPOS_ENOENT;
}

uint32_t aspace_region_count(struct aspace *as)
{
	uint64_t flags = uvm_lock(&as->lock);
	uint32_t n = as->regions.count;

	uvm_unlock(&as->lock, flags);
	return n;
}
