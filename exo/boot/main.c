/*
 * capOS UEFI loader entry: reads the command line, the kernel and the boot
 * package from the ESP it was started from, checks them, loads the kernel
 * segments, builds the page tables and boot-info record, leaves boot
 * services and jumps to the kernel.  Any failure before that prints what
 * is wrong, pauses so a person can read it, and returns an error status to
 * the firmware (with `exit=debug` on the command line it also reports
 * CAPOS_VERDICT_FAIL to QEMU's isa-debug-exit port first).
 */
#include <capos/verdict.h>
#include "console.h"
#include "loader.h"
#include "port.h"

#ifndef CAPOS_VERSION
#define CAPOS_VERSION "unknown"
#endif

#define PATH_KERNEL L"\\capos\\kernel.elf"
#define NAME_KERNEL "\\capos\\kernel.elf"
#define PATH_PKG L"\\capos\\boot.pkg"
#define NAME_PKG "\\capos\\boot.pkg"

static void loader_free(uint8_t *data, uint64_t pages)
{
	if (data && pages)
		BS->FreePages((EFI_PHYSICAL_ADDRESS)(uintptr_t)data, pages);
}

/* Give back the large blocks before returning to the firmware. */
static void loader_release(struct loader *ld)
{
	for (uint32_t i = 0; i < ld->kseg_count; i++)
		if (ld->kseg[i].phys)
			loader_free((uint8_t *)(uintptr_t)ld->kseg[i].phys, ld->kseg[i].pages);
	loader_free(ld->kernel.data, ld->kernel.pages);
	loader_free(ld->pkg.data, ld->pkg.pages);
	if (ld->fwmap.buf)
		BS->FreePool(ld->fwmap.buf);
}

static EFI_STATUS loader_fail(struct loader *ld, EFI_STATUS st)
{
	con_printf(CON_PREFIX "boot stopped (%s); returning to the firmware\n",
		   con_status_name(st));
	if (ld->debug_exit)
		port_outl(CAPOS_DEBUG_EXIT_PORT, CAPOS_VERDICT_FAIL);
	BS->Stall(LOADER_STALL_US);
	loader_release(ld);
	return st;
}

void loader_fatal_after_exit(struct loader *ld, const char *what)
{
	con_write(CON_PREFIX "fatal: ");
	con_write(what);
	con_write("\n");
	if (ld->debug_exit)
		port_outl(CAPOS_DEBUG_EXIT_PORT, CAPOS_VERDICT_FAIL);
	for (;;)
		__asm__ volatile("cli; hlt");
}

/* Read and check both files, then place the kernel segments. */
static EFI_STATUS loader_load(struct loader *ld)
{
	EFI_STATUS st;

	st = file_read_pages(ld, PATH_KERNEL, NAME_KERNEL, CAPOS_MEM_KERNEL_FILE, &ld->kernel);
	if (!EFI_ERROR(st))
		st = elfload_check(ld);
	if (!EFI_ERROR(st))
		st = file_read_pages(ld, PATH_PKG, NAME_PKG, CAPOS_MEM_BOOTPKG, &ld->pkg);
	if (!EFI_ERROR(st))
		st = pkgcheck(ld);
	if (!EFI_ERROR(st))
		st = elfload_segments(ld);
	return st;
}

/* Everything the kernel needs in place, short of leaving boot services. */
static EFI_STATUS loader_prepare(struct loader *ld)
{
	EFI_STATUS st;

	st = file_open_volume(ld);
	if (!EFI_ERROR(st))
		st = bootcmd_read(ld);
	if (!EFI_ERROR(st))
		st = handoff_check_cpu();
	if (!EFI_ERROR(st))
		st = loader_load(ld);
	if (!EFI_ERROR(st))
		st = memmap_check_memory(ld);
	if (!EFI_ERROR(st))
		st = paging_build(ld);
	if (!EFI_ERROR(st))
		st = memmap_alloc_bootinfo(ld);
	return st;
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	static struct loader ld;
	EFI_STATUS st;

	InitializeLib(image, systab);
	ld.image = image;
	con_printf("\ncapOS loader " CAPOS_VERSION " (UEFI x86_64)\n");
	st = loader_prepare(&ld);
	if (EFI_ERROR(st))
		return loader_fail(&ld, st);
	sysinfo_fill(&ld);
	handoff_fill_bootinfo(&ld);
	con_printf(CON_PREFIX "kernel entry 0x%llx, %u segments, boot package %u entries;"
		   " starting the kernel\n", (unsigned long long)ld.kimg.entry,
		   ld.kseg_count, ld.pkg_entries);
	st = memmap_exit_boot_services(&ld);
	if (EFI_ERROR(st))
		return loader_fail(&ld, st);
	handoff_jump(&ld);
}
