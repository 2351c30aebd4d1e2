/*
 * The firmware memory map: snapshots (GetMemoryMap into a pool buffer with
 * slack), the "enough RAM?" check, the boot-info block sized for the final
 * map, and the GetMemoryMap/ExitBootServices retry loop that ends boot
 * services and translates the last map (memxlate.c) into the record.
 */
#include <capos/error.h>
#include "console.h"
#include "loader.h"

#define MEMMAP_EXIT_TRIES 8
#define MEMMAP_RECORD_BYTES ((sizeof(struct capos_boot_info) + 63) & ~(uint64_t)63)

/* Grow the buffer to the firmware's answer plus slack. */
static EFI_STATUS memmap_grow(struct loader_map *m)
{
	EFI_STATUS st;

	if (m->buf)
		BS->FreePool(m->buf);
	m->buf = NULL;
	m->capacity = m->size + LOADER_MAP_SLACK * (m->desc_size ? m->desc_size : 64);
	st = BS->AllocatePool(EfiLoaderData, m->capacity, (void **)&m->buf);
	if (EFI_ERROR(st)) {
		con_error("not enough memory for the firmware memory map (%llu bytes)",
			  (unsigned long long)m->capacity);
		m->capacity = 0;
		return EFI_OUT_OF_RESOURCES;
	}
	return EFI_SUCCESS;
}

EFI_STATUS memmap_snapshot(struct loader_map *m)
{
	EFI_STATUS st = EFI_BUFFER_TOO_SMALL;

	for (int tries = 0; tries < 4 && st == EFI_BUFFER_TOO_SMALL; tries++) {
		m->size = m->capacity;
		st = BS->GetMemoryMap(&m->size, (EFI_MEMORY_DESCRIPTOR *)m->buf, &m->key,
				      &m->desc_size, &m->desc_version);
		if (st == EFI_BUFFER_TOO_SMALL && EFI_ERROR(memmap_grow(m)))
			return EFI_OUT_OF_RESOURCES;
	}
	if (EFI_ERROR(st))
		con_error("cannot read the firmware memory map: %s", con_status_name(st));
	return st;
}

uint64_t memmap_free_kib(struct loader *ld)
{
	if (EFI_ERROR(memmap_snapshot(&ld->fwmap)))
		return 0;
	return memxlate_pages_of(ld->fwmap.buf, ld->fwmap.size, ld->fwmap.desc_size,
				 CAPOS_MEM_USABLE) * 4;
}

EFI_STATUS memmap_check_memory(struct loader *ld)
{
	uint64_t free_kib, loaded_kib, top;
	EFI_STATUS st;

	st = memmap_snapshot(&ld->fwmap);
	if (EFI_ERROR(st))
		return st;
	top = memxlate_ram_top(ld->fwmap.buf, ld->fwmap.size, ld->fwmap.desc_size);
	ld->ram_top = top > (4ull << 30) ? top : (4ull << 30);
	free_kib = memxlate_free_pages(ld->fwmap.buf, ld->fwmap.size, ld->fwmap.desc_size) * 4;
	loaded_kib = ld->kernel.pages * 4 + ld->pkg.pages * 4;
	for (uint32_t i = 0; i < ld->kseg_count; i++)
		loaded_kib += ld->kseg[i].pages * 4;
	if (free_kib >= LOADER_MIN_FREE / 1024)
		return EFI_SUCCESS;
	con_error("not enough memory: %llu KiB usable RAM, but the kernel and boot package"
		  " take %llu KiB and at least %llu KiB must stay free (%llu KiB needed)",
		  (unsigned long long)(free_kib + loaded_kib), (unsigned long long)loaded_kib,
		  (unsigned long long)(LOADER_MIN_FREE / 1024),
		  (unsigned long long)(loaded_kib + LOADER_MIN_FREE / 1024));
	return EFI_OUT_OF_RESOURCES;
}

EFI_STATUS memmap_alloc_bootinfo(struct loader *ld)
{
	EFI_PHYSICAL_ADDRESS addr = 0;
	uint64_t bytes, pages;
	EFI_STATUS st;

	st = memmap_snapshot(&ld->fwmap);
	if (EFI_ERROR(st))
		return st;
	ld->map_capacity = (uint32_t)(ld->fwmap.capacity / ld->fwmap.desc_size) + LOADER_MAP_SLACK;
	bytes = MEMMAP_RECORD_BYTES + (uint64_t)ld->map_capacity * sizeof(struct capos_mem_range);
	pages = loader_pages(bytes);
	st = BS->AllocatePages(AllocateAnyPages, loader_mem_type(CAPOS_MEM_BOOTINFO), pages, &addr);
	if (EFI_ERROR(st)) {
		con_error("not enough memory for the boot-info record: %llu KiB needed,"
			  " %llu KiB of RAM free", (unsigned long long)(pages * 4),
			  (unsigned long long)memmap_free_kib(ld));
		return EFI_OUT_OF_RESOURCES;
	}
	BS->SetMem((void *)(uintptr_t)addr, pages * LOADER_PAGE, 0);
	ld->bi = (struct capos_boot_info *)(uintptr_t)addr;
	ld->map = (struct capos_mem_range *)(uintptr_t)(addr + MEMMAP_RECORD_BYTES);
	return EFI_SUCCESS;
}

/* After success only pure code runs: no boot service, no ConOut. */
static void memmap_translate_final(struct loader *ld)
{
	int n;

	n = memxlate_translate(ld->fwmap.buf, ld->fwmap.size, ld->fwmap.desc_size,
			       ld->map, ld->map_capacity);
	if (n == -CAPOS_ENOMEM)
		loader_fatal_after_exit(ld, "the final memory map has more entries than allowed for");
	if (n < 0)
		loader_fatal_after_exit(ld, "the firmware memory map has misaligned or overlapping ranges");
	ld->bi->memmap_phys = (uint64_t)(uintptr_t)ld->map;
	ld->bi->memmap_count = (uint32_t)n;
	ld->bi->memmap_entry_size = sizeof(struct capos_mem_range);
}

EFI_STATUS memmap_exit_boot_services(struct loader *ld)
{
	struct loader_map *m = &ld->fwmap;
	EFI_STATUS st;

	st = memmap_snapshot(m);
	if (EFI_ERROR(st))
		return st;
	for (int tries = 0; tries < MEMMAP_EXIT_TRIES; tries++) {
		st = BS->ExitBootServices(ld->image, m->key);
		/* Even a failed call may have shut part of boot services down. */
		con_boot_services_exited();
		if (!EFI_ERROR(st)) {
			memmap_translate_final(ld);
			return EFI_SUCCESS;
		}
		m->size = m->capacity;
		st = BS->GetMemoryMap(&m->size, (EFI_MEMORY_DESCRIPTOR *)m->buf, &m->key,
				      &m->desc_size, &m->desc_version);
		if (EFI_ERROR(st))
			break;
	}
	loader_fatal_after_exit(ld, "ExitBootServices keeps failing: the firmware memory map does not settle");
}
