/*
 * pagetable: x86_64 4-level page tables as a pure data structure.  One
 * struct pt_space names a PML4 by physical address; every table page is
 * reached through the caller's hooks (allocate a zeroed table page, turn a
 * table's physical address into a pointer, optionally invalidate a TLB
 * entry), so the same code builds the kernel's tables, will manage user
 * address spaces, and runs in host tests over malloc'd pages.
 *
 * Leaves are 4 KiB pages (PT_SIZE_4K) or 2 MiB pages (PT_SIZE_2M); walks
 * also understand 1 GiB pages built by others.  Mapping flags are explicit
 * (PT_WRITE, PT_USER, PT_NX, PT_GLOBAL, PT_NOCACHE); present is implied.
 * Rules every mapping obeys: W^X (a writable page must be NX), user pages
 * only in the lower half and never global, addresses canonical, physical
 * addresses below 2^52 and aligned to the page size.
 *
 * Intermediate tables are created on demand with present|writable (plus
 * user when a user page lies below them) and are not freed by unmap, so a
 * lockless walk never reads a freed table; pt_destroy frees them.  No
 * locking here: the owner of the space serialises changes.
 */
#ifndef EXO_MM_PAGETABLE_H
#define EXO_MM_PAGETABLE_H

#include <stdint.h>

#define PT_SIZE_4K 0x1000ull
#define PT_SIZE_2M 0x200000ull
#define PT_SIZE_1G 0x40000000ull

/* Mapping flags (abstract; pagetable.c turns them into PTE bits). */
#define PT_WRITE   (1u << 0)
#define PT_USER    (1u << 1)
#define PT_NX      (1u << 2)
#define PT_GLOBAL  (1u << 3)
#define PT_NOCACHE (1u << 4)  /* PCD|PWT: uncached under the default PAT */
#define PT_FLAGS_ALL (PT_WRITE | PT_USER | PT_NX | PT_GLOBAL | PT_NOCACHE)

/* Hardware PTE bits. */
#define PTE_PRESENT  (1ull << 0)
#define PTE_WRITABLE (1ull << 1)
#define PTE_USER     (1ull << 2)
#define PTE_PWT      (1ull << 3)
#define PTE_PCD      (1ull << 4)
#define PTE_ACCESSED (1ull << 5)
#define PTE_DIRTY    (1ull << 6)
#define PTE_HUGE     (1ull << 7)   /* PS: leaf at PDPT/PD level */
#define PTE_GLOBAL   (1ull << 8)
#define PTE_NX       (1ull << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000ull

#define PT_ENTRIES 512
#define PT_LOWER_HALF_END 0x0000800000000000ull  /* first non-canonical lower address */

struct pt_ops {
	/* A zeroed 4 KiB table page; 0 or -CAPOS_ENOMEM. */
	int (*alloc_table)(void *ctx, uint64_t *phys);
	void (*free_table)(void *ctx, uint64_t phys);
	/* Where the table page at phys can be read and written. */
	uint64_t *(*table_ptr)(void *ctx, uint64_t phys);
	/* Drop a stale TLB entry for va after unmap/protect; NULL when the
	 * space is not loaded anywhere. */
	void (*invalidate)(void *ctx, uint64_t va);
	void *ctx;
};

struct pt_space {
	const struct pt_ops *ops;
	uint64_t root;  /* physical address of the PML4 */
};

struct pt_mapping {
	uint64_t va;     /* base of the page holding the address asked about */
	uint64_t phys;   /* base of the frame */
	uint64_t size;   /* PT_SIZE_4K, PT_SIZE_2M or PT_SIZE_1G */
	uint32_t flags;  /* PT_* */
};

/* A new, empty space (allocates the PML4).  0 or -CAPOS_ENOMEM. */
int pt_create(struct pt_space *space, const struct pt_ops *ops);

/* Adopt an existing PML4 (e.g. the one in CR3) for walking or editing. */
void pt_attach(struct pt_space *space, const struct pt_ops *ops, uint64_t root);

/*
 * Map one page of size bytes (PT_SIZE_4K or PT_SIZE_2M) at va to phys.
 * -CAPOS_EINVAL: bad size, misaligned or non-canonical va, bad phys,
 * unknown flags, user page in the upper half or global; -CAPOS_EPERM:
 * writable and executable; -CAPOS_EEXIST: something is mapped there
 * (including a 2 MiB page over part of a 4 KiB table or the reverse);
 * -CAPOS_ENOMEM: no table page.
 */
int pt_map(struct pt_space *space, uint64_t va, uint64_t phys, uint64_t size, uint32_t flags);

/*
 * Remove the page whose base is va (4 KiB aligned).  Returns 1 and fills
 * *old (may be NULL) when a page was mapped, 0 when nothing was mapped,
 * -CAPOS_EINVAL when va is non-canonical, misaligned, or inside a larger
 * page without being its base.  The frame stays the caller's.
 */
int pt_unmap(struct pt_space *space, uint64_t va, struct pt_mapping *old);

/* Change the flags of the page whose base is va.  Same checks as pt_map;
 * -CAPOS_ENOENT when nothing is mapped. */
int pt_protect(struct pt_space *space, uint64_t va, uint32_t flags);

/* The mapping covering va; 0, or -CAPOS_ENOENT / -CAPOS_EINVAL. */
int pt_walk(const struct pt_space *space, uint64_t va, struct pt_mapping *out);

/* Make sure the PML4 entry covering va points at a table (so spaces that
 * copy the kernel half see later mappings under it).  0 or -CAPOS_ENOMEM. */
int pt_ensure_top(struct pt_space *space, uint64_t va);

/*
 * Free every table under PML4 entries [first_slot, end_slot) and, when
 * free_root, the PML4 itself.  Leaf frames are not touched.  Returns how
 * many leaf mappings were still present (0 when the owner unmapped
 * everything first).
 */
uint64_t pt_destroy(struct pt_space *space, unsigned first_slot, unsigned end_slot, int free_root);

#endif
