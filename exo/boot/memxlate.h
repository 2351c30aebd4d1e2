/*
 * Translation of the UEFI memory map into the capOS one (struct
 * capos_mem_range, enum capos_mem_type): type mapping, sort by address,
 * merge of adjacent ranges of one type, plus the sums the loader needs
 * (top of RAM, reclaimable pages).  Pure code over a descriptor buffer, so
 * host tests run it on synthetic maps; no EFI headers.
 */
#ifndef EXO_BOOT_MEMXLATE_H
#define EXO_BOOT_MEMXLATE_H

#include <stdbool.h>
#include <stdint.h>
#include <capos/bootinfo.h>

#define MEMXLATE_OS_BASE 0x80000000u   /* first OS-defined UEFI memory type */
#define MEMXLATE_PAGE 4096ull

/* UEFI memory types (UEFI 2.10, table 7-5). */
enum memxlate_efi_type {
	MEMXLATE_EFI_RESERVED = 0,
	MEMXLATE_EFI_LOADER_CODE = 1,
	MEMXLATE_EFI_LOADER_DATA = 2,
	MEMXLATE_EFI_BS_CODE = 3,
	MEMXLATE_EFI_BS_DATA = 4,
	MEMXLATE_EFI_RT_CODE = 5,
	MEMXLATE_EFI_RT_DATA = 6,
	MEMXLATE_EFI_CONVENTIONAL = 7,
	MEMXLATE_EFI_UNUSABLE = 8,
	MEMXLATE_EFI_ACPI_RECLAIM = 9,
	MEMXLATE_EFI_ACPI_NVS = 10,
	MEMXLATE_EFI_MMIO = 11,
	MEMXLATE_EFI_MMIO_PORT = 12,
	MEMXLATE_EFI_PAL_CODE = 13,
	MEMXLATE_EFI_PERSISTENT = 14,
	MEMXLATE_EFI_UNACCEPTED = 15,
};

/* EFI_MEMORY_DESCRIPTOR; entries are desc_size apart, desc_size >= this. */
struct memxlate_efi_desc {
	uint32_t type;
	uint32_t pad;
	uint64_t phys_start;
	uint64_t virt_start;
	uint64_t pages;
	uint64_t attribute;
};

/* enum capos_mem_type for a UEFI (or OS-defined) type. */
uint32_t memxlate_type(uint32_t efi_type);

/* Does the range hold RAM (anything but I/O space and reserved holes)? */
bool memxlate_is_ram(uint32_t efi_type);

/* End of the highest RAM range in the map. */
uint64_t memxlate_ram_top(const void *map, uint64_t map_size, uint64_t desc_size);

/* Pages of one enum capos_mem_type in the map. */
uint64_t memxlate_pages_of(const void *map, uint64_t map_size, uint64_t desc_size, uint32_t type);

/* Pages the kernel can use once it reclaims boot memory (USABLE + BOOT_RECLAIM). */
uint64_t memxlate_free_pages(const void *map, uint64_t map_size, uint64_t desc_size);

/*
 * Translate, sort and merge the map into out[0..cap).  Returns the entry
 * count, -CAPOS_EINVAL for a bad descriptor size, -CAPOS_EFORMAT for a
 * misaligned, wrapping or overlapping range, -CAPOS_ENOMEM when cap is
 * too small.
 */
int memxlate_translate(const void *map, uint64_t map_size, uint64_t desc_size,
		       struct capos_mem_range *out, uint32_t cap);

#endif
