/*
 * Kernel memory management: the contract between the memory code
 * (exo/mm/) and the rest of the kernel.
 *
 * - Physical frames (4 KiB) come from the frame allocator, built from the
 *   boot-info memory map.  Only CAPOS_MEM_USABLE is free at first;
 *   frame_reclaim_boot() adds loader, boot-services and early page-table
 *   memory once the kernel runs on its own page tables.
 * - All RAM is reachable through the direct map at CAPOS_HHDM_BASE.
 * - vm_init() builds the kernel's own page tables (direct map NX, kernel
 *   sections W^X from the boot-info segment list, no identity map) and
 *   switches to them.  Device registers are mapped uncached with
 *   vm_map_mmio().
 * - The heap serves variable-size kernel objects.  Kernel stacks live in
 *   their own region with an unmapped guard page below each.
 * - A census (mm_census_take/report) compares two moments exactly, for
 *   the leak check at the end of a run ("leakcheck" on the command line).
 *
 * Kernel-half virtual layout (PML4 slot = 512 GiB):
 *   0xffff800000000000  direct map of RAM-like memory-map ranges (slots
 *                       256..), write-back, NX; KERNEL ranges read-only.
 *                       Physical memory above VM_DIRECT_MAP_SIZE is refused.
 *   0xffffff0000000000  VM_MMIO_BASE, 64 GiB: vm_map_mmio window (slot 510),
 *                       mappings handed out upwards, one unmapped page
 *                       between consecutive mappings.
 *   0xffffff8000000000  VM_KSTACK_BASE, 2 GiB: kernel stacks (slot 511),
 *                       slots of KSTACK_SLOT_PAGES; a stack fills the top
 *                       of its slot, so at least one unmapped page lies
 *                       below it and above the stack under it.
 *   0xffffffff80000000  the kernel image (CAPOS_KERNEL_BASE, slot 511).
 * Every kernel-half PML4 entry the kernel uses exists once vm_init returns
 * and never changes afterwards, so a new address space may copy entries
 * 256..511 of vm_kernel_root_phys() once and stay coherent.
 *
 * Errors: negative CAPOS_E* codes (capos/error.h); NULL from allocators.
 * Locking: each allocator has its own spinlock, taken irqsave, so every
 * entry point is safe from any context including interrupt handlers.
 * Lock order (outer first): vm_lock -> frame_lock and heap_lock ->
 * frame_lock; kstack_lock is a leaf (stacks are mapped outside it).  Bugs in the caller (double free, freeing a
 * pointer or frame the allocator never gave out) panic.
 */
#ifndef EXO_MM_MM_H
#define EXO_MM_MM_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <capos/bootinfo.h>
#include "pagetable.h"

#define PAGE_SIZE 4096ull
#define PAGE_SHIFT 12

static inline void *phys_to_virt(uint64_t phys) { return (void *)(uintptr_t)(phys + CAPOS_HHDM_BASE); }
static inline uint64_t direct_virt_to_phys(const void *p) { return (uint64_t)(uintptr_t)p - CAPOS_HHDM_BASE; }

#define VM_DIRECT_MAP_SIZE (64ull << 40)          /* up to 64 TiB of physical memory */
#define VM_MMIO_BASE       0xffffff0000000000ull
#define VM_MMIO_SIZE       (64ull << 30)
#define VM_KSTACK_BASE     0xffffff8000000000ull
#define VM_KSTACK_SIZE     (2ull << 30)
#define KSTACK_SLOT_PAGES  32u                    /* stride between stacks: 128 KiB */
#define KSTACK_MAX_PAGES   (KSTACK_SLOT_PAGES - 1) /* leaves at least one guard page */

/* --- physical frames (exo/mm/frame.c) --- */
struct frame_stats {
	uint64_t total_pages;      /* RAM the map describes (usable + reclaimable + kernel-owned) */
	uint64_t free_pages;
	uint64_t reclaimed_pages;  /* added by frame_reclaim_boot */
};

void frame_init(const struct capos_boot_info *bi);
void frame_reclaim_boot(const struct capos_boot_info *bi);
int frame_alloc(uint64_t *phys);                                   /* one zeroed frame */
int frame_alloc_contig(uint64_t pages, uint64_t align_pages, uint64_t *phys); /* zeroed */
void frame_free(uint64_t phys);
void frame_free_contig(uint64_t phys, uint64_t pages);
void frame_get_stats(struct frame_stats *out);
/* A zeroed run wholly below limit_phys (e.g. 4 GiB for 32-bit DMA, 1 MiB
 * for AP start-up code).  -CAPOS_EINVAL bad count/alignment, -CAPOS_ENOMEM. */
int frame_alloc_contig_below(uint64_t pages, uint64_t align_pages, uint64_t limit_phys,
			     uint64_t *phys);
bool frame_is_allocated(uint64_t phys);  /* owned by the allocator and handed out */

/* --- kernel address space (exo/mm/vm.c) --- */
void vm_init(const struct capos_boot_info *bi);
/* Map [phys, phys + size) uncached (PCD|PWT), RW, NX in the MMIO window;
 * returns the virtual address of phys itself (any alignment).  NULL when
 * the window is full, no table frame is left, size is 0, or the range is
 * RAM (device memory only).  Mappings are permanent. */
void *vm_map_mmio(uint64_t phys, uint64_t size);
bool vm_kernel_readable(uint64_t va);            /* mapped and present: safe to read */
/* Frames the kernel page tables use (PML4 included); they only grow. */
uint64_t vm_kernel_table_frames(void);
/* Physical address of the kernel PML4; 0 before vm_init. */
uint64_t vm_kernel_root_phys(void);
/* The kernel-table mapping covering va (pt_walk); for tests and dumps. */
int vm_kernel_walk(uint64_t va, struct pt_mapping *out);
/* Map one 4 KiB page in the kernel half (PT_* flags; PT_GLOBAL is added
 * when the CPU supports it).  0 or the pt_map error. */
int vm_kernel_map_page(uint64_t va, uint64_t phys, uint32_t flags);
/* Unmap one 4 KiB kernel page and flush it: 1 (with *phys set; may be
 * NULL) when a page was mapped, 0 when none was, or the pt_unmap error. */
int vm_kernel_unmap_page(uint64_t va, uint64_t *phys);

/* --- kernel heap (exo/mm/heap.c) --- */
void heap_init(void);
void *kmalloc(size_t size);   /* 16-byte aligned; NULL on exhaustion */
void *kzalloc(size_t size);
void kfree(void *p);          /* NULL is allowed */
struct heap_stats;
void heap_get_stats(struct heap_stats *out);  /* see heap_core.h */
size_t kmalloc_usable_size(const void *p);
size_t kmalloc_block_size(const void *p);  /* p live and the caller's: no checks, no lock */
/* Return every empty slab, even the cached ones, to the frame allocator;
 * the number of 16 KiB slabs released. */
uint64_t heap_trim(void);

/* --- kernel stacks (exo/mm/kstack.c) --- */
struct kstack {
	uint64_t bottom;  /* lowest mapped byte; the page below is the guard */
	uint64_t top;     /* initial stack pointer (16-byte aligned) */
};
/* pages in [1, KSTACK_MAX_PAGES] of zeroed, mapped stack.  -CAPOS_EINVAL
 * for a bad count, -CAPOS_ENOMEM when frames or stack slots run out. */
int kstack_alloc(struct kstack *out, uint64_t pages);
void kstack_free(struct kstack *stack);  /* unmaps and frees the frames */
/* Make sure the kernel page tables of the first `stacks` free stack slots
 * exist (tables are never freed, so a later kstack_alloc in those slots
 * takes no table frame).  0, or -CAPOS_ENOMEM (what was made stays). */
int kstack_prepare_tables(uint64_t stacks);

/* --- memory census (exo/mm/census.c) --- */
/*
 * What the kernel's memory is doing at one moment, for leak checks: free
 * frames, frames in the kernel page tables, heap objects, bytes, slabs and
 * large pages.  mm_census_take trims the heap first (heap_trim), so slabs
 * count only those holding a live object and the numbers do not depend
 * on what happened to be cached.
 */
struct mm_census {
	uint64_t free_frames;
	uint64_t kernel_table_frames;
	uint64_t heap_objects;
	uint64_t heap_bytes;
	uint64_t heap_slabs;
	uint64_t heap_large_pages;
};
void mm_census_take(struct mm_census *out);
/* Log "<tag>: free frames before N after M (difference D)" and, when
 * anything differs, where the difference lies; true when nothing differs. */
bool mm_census_report(const char *tag, const struct mm_census *before, const struct mm_census *after);

#endif
