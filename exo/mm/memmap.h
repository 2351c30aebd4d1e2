/*
 * The boot memory map as the memory code reads it: which range types are
 * RAM, which the frame allocator may hand out (at once or after the
 * hand-over), which the direct map covers, and a check that the loader's
 * list is sorted, page aligned and free of overlaps.  Pure functions over
 * the array the boot-info record points to; no state, no locks, so the
 * host tests and the in-kernel tests use the same code.
 */
#ifndef EXO_MM_MEMMAP_H
#define EXO_MM_MEMMAP_H

#include <stdbool.h>
#include <stdint.h>
#include <capos/bootinfo.h>

/* "USABLE", "BOOT_RECLAIM", ...; "?" for a type the loader should not send. */
const char *memmap_type_name(uint32_t type);

/* Free RAM from the start (CAPOS_MEM_USABLE). */
bool memmap_is_free(uint32_t type);

/* Free once the kernel runs on its own page tables (BOOT_RECLAIM, EARLY_PT). */
bool memmap_is_reclaimable(uint32_t type);

/* Counted in frame_stats.total_pages: usable, reclaimable, kernel-owned. */
bool memmap_is_counted_ram(uint32_t type);

/* Covered by the kernel's direct map (RAM-like, write-back cacheable). */
bool memmap_is_direct_mapped(uint32_t type);

/*
 * 0 when ranges[0..count) are sorted by phys, non-empty, page aligned,
 * non-overlapping and below 2^52; else -CAPOS_EFORMAT, with *bad (may be
 * NULL) set to the index of the first offending entry.
 */
int memmap_check(const struct capos_mem_range *ranges, uint32_t count, uint32_t *bad);

/* One past the last frame of any range whose type satisfies pred; 0 if none. */
uint64_t memmap_end_frame(const struct capos_mem_range *ranges, uint32_t count,
			  bool (*pred)(uint32_t type));

/* Total pages of the ranges whose type satisfies pred. */
uint64_t memmap_count_pages(const struct capos_mem_range *ranges, uint32_t count,
			    bool (*pred)(uint32_t type));

#endif
