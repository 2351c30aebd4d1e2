/*
 * UEFI-to-capOS memory map translation (see memxlate.h).  Descriptors are
 * read by offset because the firmware's desc_size may exceed the struct;
 * the output is built by insertion sort (maps hold a few hundred entries
 * at most), then adjacent ranges of one type are merged in place.
 */
#include <stddef.h>
#include <capos/error.h>
#include "memxlate.h"

uint32_t memxlate_type(uint32_t efi_type)
{
	if (efi_type > MEMXLATE_OS_BASE && efi_type <= MEMXLATE_OS_BASE + CAPOS_MEM_PERSISTENT)
		return efi_type - MEMXLATE_OS_BASE;
	switch (efi_type) {
	case MEMXLATE_EFI_CONVENTIONAL:
		return CAPOS_MEM_USABLE;
	case MEMXLATE_EFI_LOADER_CODE:
	case MEMXLATE_EFI_LOADER_DATA:
	case MEMXLATE_EFI_BS_CODE:
	case MEMXLATE_EFI_BS_DATA:
		return CAPOS_MEM_BOOT_RECLAIM;
	case MEMXLATE_EFI_ACPI_RECLAIM:
		return CAPOS_MEM_ACPI_RECLAIM;
	case MEMXLATE_EFI_ACPI_NVS:
		return CAPOS_MEM_ACPI_NVS;
	case MEMXLATE_EFI_MMIO:
	case MEMXLATE_EFI_MMIO_PORT:
		return CAPOS_MEM_MMIO;
	case MEMXLATE_EFI_UNUSABLE:
		return CAPOS_MEM_BAD;
	case MEMXLATE_EFI_PERSISTENT:
		return CAPOS_MEM_PERSISTENT;
	default:
		return CAPOS_MEM_RESERVED;
	}
}

bool memxlate_is_ram(uint32_t efi_type)
{
	return efi_type != MEMXLATE_EFI_RESERVED && efi_type != MEMXLATE_EFI_MMIO &&
	       efi_type != MEMXLATE_EFI_MMIO_PORT && efi_type != MEMXLATE_EFI_PAL_CODE &&
	       (efi_type < MEMXLATE_EFI_UNACCEPTED || efi_type > MEMXLATE_OS_BASE);
}

static const struct memxlate_efi_desc *desc_at(const void *map, uint64_t desc_size, uint64_t i)
{
	return (const struct memxlate_efi_desc *)((const uint8_t *)map + i * desc_size);
}

/* End address of a descriptor, or 0 when it wraps. */
static uint64_t desc_end(const struct memxlate_efi_desc *d)
{
	if (d->pages > (UINT64_MAX - d->phys_start) / MEMXLATE_PAGE)
		return 0;
	return d->phys_start + d->pages * MEMXLATE_PAGE;
}

uint64_t memxlate_ram_top(const void *map, uint64_t map_size, uint64_t desc_size)
{
	uint64_t top = 0;

	if (desc_size < sizeof(struct memxlate_efi_desc))
		return 0;
	for (uint64_t i = 0; i < map_size / desc_size; i++) {
		const struct memxlate_efi_desc *d = desc_at(map, desc_size, i);
		uint64_t end = desc_end(d);

		if (memxlate_is_ram(d->type) && end > top)
			top = end;
	}
	return top;
}

uint64_t memxlate_pages_of(const void *map, uint64_t map_size, uint64_t desc_size, uint32_t type)
{
	uint64_t pages = 0;

	if (desc_size < sizeof(struct memxlate_efi_desc))
		return 0;
	for (uint64_t i = 0; i < map_size / desc_size; i++) {
		const struct memxlate_efi_desc *d = desc_at(map, desc_size, i);

		if (memxlate_type(d->type) == type)
			pages += d->pages;
	}
	return pages;
}

uint64_t memxlate_free_pages(const void *map, uint64_t map_size, uint64_t desc_size)
{
	return memxlate_pages_of(map, map_size, desc_size, CAPOS_MEM_USABLE) +
	       memxlate_pages_of(map, map_size, desc_size, CAPOS_MEM_BOOT_RECLAIM);
}

/* Insert r into the sorted array out[0..n); returns false on overlap. */
static bool insert_sorted(struct capos_mem_range *out, uint32_t n, const struct capos_mem_range *r)
{
	uint32_t i = n;

	while (i > 0 && out[i - 1].phys > r->phys) {
		out[i] = out[i - 1];
		i--;
	}
	out[i] = *r;
	if (i > 0 && out[i - 1].phys + out[i - 1].pages * MEMXLATE_PAGE > r->phys)
		return false;
	if (i < n && r->phys + r->pages * MEMXLATE_PAGE > out[i + 1].phys)
		return false;
	return true;
}

/* Merge neighbours of one type that touch; returns the new count. */
static uint32_t merge_adjacent(struct capos_mem_range *out, uint32_t n)
{
	uint32_t w = 0;

	for (uint32_t i = 0; i < n; i++) {
		struct capos_mem_range *last = w ? &out[w - 1] : NULL;

		if (last && last->type == out[i].type &&
		    last->phys + last->pages * MEMXLATE_PAGE == out[i].phys) {
			last->pages += out[i].pages;
			continue;
		}
		out[w++] = out[i];
	}
	return w;
}

int memxlate_translate(const void *map, uint64_t map_size, uint64_t desc_size,
		       struct capos_mem_range *out, uint32_t cap)
{
	uint32_t n = 0;

	if (desc_size < sizeof(struct memxlate_efi_desc))
		return -CAPOS_EINVAL;
	for (uint64_t i = 0; i < map_size / desc_size; i++) {
		const struct memxlate_efi_desc *d = desc_at(map, desc_size, i);
		struct capos_mem_range r;

		if (d->pages == 0)
			continue;
		if (d->phys_start % MEMXLATE_PAGE || desc_end(d) == 0)
			return -CAPOS_EFORMAT;
		if (n == cap)
			return -CAPOS_ENOMEM;
		r.phys = d->phys_start;
		r.pages = d->pages;
		r.type = memxlate_type(d->type);
		r.efi_type = d->type;
		if (!insert_sorted(out, n, &r))
			return -CAPOS_EFORMAT;
		n++;
	}
	return (int)merge_adjacent(out, n);
}
