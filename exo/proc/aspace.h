/*
 * aspace: a user address space.  A PML4 whose kernel half (entries
 * 256..511) is copied once from the kernel's tables (vm_init creates all of
 * them up front, so the copy stays coherent) and whose lower half holds
 * the user pages, plus the sorted region list (vma.h) that says what every
 * mapped page is.  User addresses lie in [CAPOS_USER_MIN, CAPOS_USER_MAX)
 * (capos/prot.h); page 0 is never mapped.
 *
 * Memory and charges.  Every frame the space allocates — anonymous,
 * image and stack pages, the PML4 and every page table — is charged to the
 * space's quota (struct quota, one reference held by the space) and
 * released when freed.  Page tables emptied by an unmap are freed at once,
 * so after unmapping everything the charge is back to one frame (the PML4).
 * Memory-object frames are charged to the object's creator (memobj.h);
 * ring frames (VMA_RING) belong to the kernel and are never freed here.
 *
 * Errors (user mistakes; nothing has changed when a call fails):
 *   -CAPOS_EINVAL  va not page aligned, pages 0, unknown prot bits or no READ
 *   -CAPOS_EPERM   WRITE|EXEC asked for; unmap/protect of a guard or ring region
 *   -CAPOS_ERANGE  range overflows or leaves the user window
 *   -CAPOS_EEXIST  a fixed-address map overlaps an existing region
 *   -CAPOS_ENOENT  unmap/protect of a range with an unmapped hole in it
 *   -CAPOS_EQUOTA  the frame quota or the region limit is exhausted
 *   -CAPOS_ENOMEM  no frame, no heap, or no free range (va 0)
 *
 * Locking: each space has a spinlock (irqsave) taken by every call here
 * and in uaccess.h, so a space may be read (IPC copies, completions) from
 * another process's context while its own threads change it.  Lock order:
 * (revmap_lock, exo/cap/revmap.c ->) aspace lock -> frame and heap
 * locks; two spaces are locked in address order (uaccess_copy_user); a
 * record of a mapping through a revocable copy is handed back
 * (vma_via.release) only after the lock is dropped.  TLB: a change invalidates the page on this
 * CPU when the space is the one loaded here (single CPU; SMP will need a
 * shootdown to every CPU running the space).
 */
#ifndef EXO_PROC_ASPACE_H
#define EXO_PROC_ASPACE_H

#include <stdbool.h>
#include <stdint.h>
#include "../mm/pagetable.h"
#include "../kern/spinlock.h"
#include "vma.h"
#include "quota.h"

struct memobj;

/* Fields are private to aspace*.c and uaccess.c. */
/*
 * The last user page uaccess translated (uaccess.c), so a check and the
 * copy that follows — or a call's result buffer used again — walk the
 * tables once.  Invariant: valid only while that page's mapping is
 * unchanged; every unmap and protect clears it (aspace.c).
 */
struct ua_cache {
	uint64_t page;          /* user page address */
	uint64_t frame;         /* its frame */
	uint32_t flags;         /* PT_* of the mapping */
	bool valid;
};

struct aspace {
	struct spinlock lock;   /* guards regions and the lower-half tables */
	struct pt_space pt;
	struct pt_ops ops;      /* the pagetable hooks, ctx = this space */
	struct vma_set regions;
	struct quota *q;        /* charged for owned frames and tables */
	struct ua_cache ua;     /* [lock] */
	struct vma_via *dead_vias; /* [lock] records whose last region just went, handed back after unlock */
};

/* A new, empty space charged to q (takes a reference to q).  0,
 * -CAPOS_EQUOTA (no frame left in q for the PML4) or -CAPOS_ENOMEM. */
int aspace_create(struct quota *q, struct aspace **out);

/* Unmap everything (owned frames freed, memory-object mapping references
 * dropped), free every table and the PML4, release the charges, drop the
 * quota reference and free as.  If as is loaded on this CPU, switches to
 * the kernel root first.  Nobody else may use as during or after. */
void aspace_destroy(struct aspace *as);

/* Load as on this CPU (NULL: the kernel-only root).  No-op when loaded. */
void aspace_activate(struct aspace *as);
bool aspace_is_active(const struct aspace *as);
uint64_t aspace_root_phys(const struct aspace *as);

/* Map `pages` zeroed frames with prot at va (0: the kernel picks a free
 * range).  *out_va (may be NULL) gets the address. */
int aspace_map_anon(struct aspace *as, uint64_t va, uint64_t pages, uint32_t prot, uint64_t *out_va);

/* Same for a program segment (VMA_IMAGE) or a stack (VMA_STACK). */
int aspace_map_owned(struct aspace *as, uint64_t va, uint64_t pages, uint32_t prot,
		     uint32_t kind, uint64_t *out_va);

/* Reserve [va, va + pages) as an unmapped guard region (va 0: picked). */
int aspace_map_guard(struct aspace *as, uint64_t va, uint64_t pages, uint64_t *out_va);

/* A read-write stack of `pages` pages with `guard_pages` guard pages
 * below it, ending at top (page aligned; 0: picked).  *out_top gets the
 * initial stack pointer (16-byte aligned).  Both regions or neither. */
int aspace_map_stack(struct aspace *as, uint64_t top, uint64_t pages, uint64_t guard_pages,
		     uint64_t *out_top);

/* Map kernel-owned frames phys[0..pages) (not charged, never freed here;
 * the caller keeps them alive while mapped).  kind must be VMA_RING. */
int aspace_map_frames(struct aspace *as, uint64_t va, const uint64_t *phys, uint64_t pages,
		      uint32_t prot, uint32_t kind, uint64_t *out_va);

/* Map object pages [first_page, first_page + pages) of mo.  Takes one
 * mapping reference on mo, dropped when the region goes.  -CAPOS_ERANGE
 * also when the page range is outside the object. */
int aspace_map_memobj(struct aspace *as, uint64_t va, struct memobj *mo, uint64_t first_page,
		      uint64_t pages, uint32_t prot, uint64_t *out_va);

/* The same through a revocable copy: the new region points at via
 * (via->regions becomes 1; it must be 0 and via unused before).  Every
 * path that drops the region or a piece of it counts via down and, at 0,
 * calls via->release once the space's lock is dropped. */
int aspace_map_memobj_via(struct aspace *as, uint64_t va, struct memobj *mo, uint64_t first_page,
			  uint64_t pages, uint32_t prot, struct vma_via *via, uint64_t *out_va);

/* Revocation of the copy behind via (exo/cap/revmap.c): remove every region pointing at via.
 * true when they were removed here (via->regions is then 0 and the caller
 * owns via: release is not called); false when via had no region left —
 * its release is already due from whoever removed the last one. */
bool aspace_remove_via(struct aspace *as, struct vma_via *via);

/*
 * Device registers (PCI BARs): one run of pages at va (0: picked) made of
 * n pieces in order, each either physical pages [phys, phys + pages) mapped
 * uncached and NX with prot (READ or READ|WRITE), or a hole (a guard: the
 * MSI-X table and PBA pages never reach user space).  Every region is
 * tagged with owner for aspace_remove_owned.  Nothing is charged: the
 * pages are not RAM.  All pieces or none.
 */
struct aspace_piece {
	uint64_t pages;
	uint64_t phys;   /* page aligned */
	bool hole;
};
int aspace_map_device(struct aspace *as, uint64_t va, const struct aspace_piece *pieces, uint32_t n,
		      uint32_t prot, const void *owner, uint64_t *out_va);

/* Remove every region tagged with owner (wherever the holder left or
 * split them); returns how many. */
uint32_t aspace_remove_owned(struct aspace *as, const void *owner);

/* Unmap a range (may split regions).  The whole range must be mapped
 * (-CAPOS_ENOENT otherwise); guard and ring regions are refused
 * (-CAPOS_EPERM). */
int aspace_unmap(struct aspace *as, uint64_t va, uint64_t pages);

/* Change the protection of a range (may split regions).  The whole range
 * must be mapped; guard and ring regions are refused (-CAPOS_EPERM). */
int aspace_protect(struct aspace *as, uint64_t va, uint64_t pages, uint32_t prot);

/* The same, limited to mappings of mo (MemoryObject.unmap/protect): any
 * page in the range that is not a mapping of mo is -CAPOS_ENOENT. */
int aspace_unmap_memobj(struct aspace *as, uint64_t va, uint64_t pages, const struct memobj *mo);
int aspace_protect_memobj(struct aspace *as, uint64_t va, uint64_t pages, uint32_t prot,
			  const struct memobj *mo);

/* Kernel-side removal of any region kind (thread stacks with their guards,
 * the ring).  The whole range must be covered (-CAPOS_ENOENT). */
int aspace_remove(struct aspace *as, uint64_t va, uint64_t pages);

/* A copy of the region containing va: 0, or -CAPOS_ENOENT. */
int aspace_region_at(struct aspace *as, uint64_t va, struct vma *out);

/* Number of regions (for tests and reports). */
uint32_t aspace_region_count(struct aspace *as);

/* Internal to aspace*.c: page-table hooks and empty-table reclamation
 * (aspace_pt.c). */
void aspace_pt_init_ops(struct aspace *as);
void aspace_pt_prune(struct aspace *as, uint64_t start, uint64_t end);

#endif
