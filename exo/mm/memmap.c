/*
 * Memory-map classification and validation; see memmap.h.  The type
 * tables below are the single place that decides what the kernel may
 * allocate, map or count, so the frame allocator, vm_init and the tests
 * cannot disagree about a range.
 */
#include <capos/error.h>
#include "memmap.h"

#define MEMMAP_PHYS_LIMIT (1ull << 52) /* architectural MAXPHYADDR ceiling */

static const char *const memmap_names[] = {
	[CAPOS_MEM_USABLE] = "USABLE",
	[CAPOS_MEM_BOOT_RECLAIM] = "BOOT_RECLAIM",
	[CAPOS_MEM_ACPI_RECLAIM] = "ACPI_RECLAIM",
	[CAPOS_MEM_ACPI_NVS] = "ACPI_NVS",
	[CAPOS_MEM_RESERVED] = "RESERVED",
	[CAPOS_MEM_MMIO] = "MMIO",
	[CAPOS_MEM_KERNEL] = "KERNEL",
	[CAPOS_MEM_KERNEL_FILE] = "KERNEL_FILE",
	[CAPOS_MEM_BOOTPKG] = "BOOTPKG",
	[CAPOS_MEM_BOOTINFO] = "BOOTINFO",
	[CAPOS_MEM_EARLY_PT] = "EARLY_PT",
	[CAPOS_MEM_BAD] = "BAD",
	[CAPOS_MEM_PERSISTENT] = "PERSISTENT",
};

const char *memmap_type_name(uint32_t type)
{
	if (type >= sizeof memmap_names / sizeof memmap_names[0] || !memmap_names[type])
		return "?";
	return memmap_names[type];
}

bool memmap_is_free(uint32_t type)
{
	return type == CAPOS_MEM_USABLE;
}

bool memmap_is_reclaimable(uint32_t type)
{
	return type == CAPOS_MEM_BOOT_RECLAIM || type == CAPOS_MEM_EARLY_PT;
}

bool memmap_is_counted_ram(uint32_t type)
{
	switch (type) {
	case CAPOS_MEM_USABLE:
	case CAPOS_MEM_BOOT_RECLAIM:
	case CAPOS_MEM_EARLY_PT:
	case CAPOS_MEM_KERNEL:
	case CAPOS_MEM_KERNEL_FILE:
	case CAPOS_MEM_BOOTPKG:
	case CAPOS_MEM_BOOTINFO:
		return true;
	default:
		return false;
	}
}

bool memmap_is_direct_mapped(uint32_t type)
{
	switch (type) {
	case CAPOS_MEM_ACPI_RECLAIM:
	case CAPOS_MEM_ACPI_NVS:
	case CAPOS_MEM_RESERVED:
		return true;
	default:
		return memmap_is_counted_ram(type);
	}
}

static bool memmap_range_ok(const struct capos_mem_range *r)
{
	if (r->pages == 0 || (r->phys & 0xfff) != 0 || r->phys >= MEMMAP_PHYS_LIMIT)
		return false;
	return r->pages <= (MEMMAP_PHYS_LIMIT - r->phys) >> 12;
}

int memmap_check(const struct capos_mem_range *ranges, uint32_t count, uint32_t *bad)
{
	for (uint32_t i = 0; i < count; i++) {
		bool ok = memmap_range_ok(&ranges[i]);

		if (ok && i > 0)
			ok = ranges[i - 1].phys + (ranges[i - 1].pages << 12) <= ranges[i].phys;
		if (!ok) {
			if (bad)
				*bad = i;
			return -CAPOS_EFORMAT;
		}
	}
	return 0;
}

uint64_t memmap_end_frame(const struct capos_mem_range *ranges, uint32_t count,
			  bool (*pred)(uint32_t type))
{
	uint64_t end = 0;

	for (uint32_t i = 0; i < count; i++) {
		uint64_t e = (ranges[i].phys >> 12) + ranges[i].pages;

		if (pred(ranges[i].type) && e > end)
			end = e;
	}
	return end;
}

uint64_t memmap_count_pages(const struct capos_mem_range *ranges, uint32_t count,
			    bool (*pred)(uint32_t type))
{
	uint64_t pages = 0;

	for (uint32_t i = 0; i < count; i++)
		if (pred(ranges[i].type))
			pages += ranges[i].pages;
	return pages;
}
