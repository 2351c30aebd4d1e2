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
 *
 * Errors: negative CAPOS_E* codes (capos/error.h); NULL from allocators.
 * Locking: each allocator has its own spinlock, safe from any context
 * that may sleep-free spin (interrupt handlers included).
 */
#ifndef EXO_MM_MM_H
#define EXO_MM_MM_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <capos/bootinfo.h>

#define PAGE_SIZE 4096ull
#define PAGE_SHIFT 12

static inline void *phys_to_virt(uint64_t phys) { return (void *)(uintptr_t)(phys + CAPOS_HHDM_BASE); }
static inline uint64_t direct_virt_to_phys(const void *p) { return (uint64_t)(uintptr_t)p - CAPOS_HHDM_BASE; }

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

/* --- kernel address space (exo/mm/vm.c) --- */
void vm_init(const struct capos_boot_info *bi);
void *vm_map_mmio(uint64_t phys, uint64_t size);  /* uncached; NULL when out of space */
bool vm_kernel_readable(uint64_t va);            /* mapped and present: safe to read */

/* --- kernel heap (exo/mm/heap.c) --- */
void heap_init(void);
void *kmalloc(size_t size);   /* 16-byte aligned; NULL on exhaustion */
void *kzalloc(size_t size);
void kfree(void *p);          /* NULL is allowed */

/* --- kernel stacks (exo/mm/kstack.c) --- */
struct kstack {
	uint64_t bottom;  /* lowest mapped byte; the page below is the guard */
	uint64_t top;     /* initial stack pointer (16-byte aligned) */
};
int kstack_alloc(struct kstack *out, uint64_t pages);
void kstack_free(struct kstack *stack);

#endif
