/*
 * Hand-over to the kernel: the CPU checks done before anything is loaded
 * (5-level paging is not supported), the boot-info record, and the jump:
 * EFER.NXE and CR0.WP on, interrupts off, our page tables in CR3, a
 * 16-byte aligned stack, %rdi = physical address of the record, and a
 * plain SysV call of the ELF entry point.
 */
#include <capos/bootinfo.h>
#include "console.h"
#include "loader.h"
#include "port.h"

EFI_STATUS handoff_check_cpu(void)
{
	if (cpu_read_cr4() & CR4_LA57) {
		con_error("the firmware runs with 5-level paging (CR4.LA57); capOS supports"
			  " 4-level paging only");
		return EFI_UNSUPPORTED;
	}
	return EFI_SUCCESS;
}

static void handoff_copy_cmdline(char *dst, const char *src)
{
	unsigned i = 0;

	for (; src[i] && i < CAPOS_CMDLINE_MAX - 1; i++)
		dst[i] = src[i];
	dst[i] = '\0';
}

void handoff_fill_bootinfo(struct loader *ld)
{
	struct capos_boot_info *bi = ld->bi;

	bi->magic = CAPOS_BOOTINFO_MAGIC;
	bi->version = CAPOS_BOOTINFO_VERSION;
	bi->size = sizeof *bi;
	bi->kernel_file_phys = (uint64_t)(uintptr_t)ld->kernel.data;
	bi->kernel_file_size = ld->kernel.size;
	bi->bootpkg_phys = (uint64_t)(uintptr_t)ld->pkg.data;
	bi->bootpkg_size = ld->pkg.size;
	bi->kernel_entry = ld->kimg.entry;
	bi->kseg_count = ld->kseg_count;
	for (uint32_t i = 0; i < ld->kseg_count; i++)
		bi->kseg[i] = ld->kseg[i];
	handoff_copy_cmdline(bi->cmdline, ld->cmdline);
}

__attribute__((noreturn)) void handoff_jump(struct loader *ld)
{
	uint64_t cr3 = ld->pml4, entry = ld->kimg.entry;
	uint64_t bi = (uint64_t)(uintptr_t)ld->bi;

	__asm__ volatile("cli");
	cpu_wrmsr(MSR_EFER, cpu_rdmsr(MSR_EFER) | EFER_NXE);
	__asm__ volatile("mov %0, %%cr0" : : "r"(cpu_read_cr0() | CR0_WP) : "memory");
	ld->bi->loader_tsc = cpu_rdtsc();
	__asm__ volatile(
		"mov %0, %%cr3\n\t"
		"and $-16, %%rsp\n\t"
		"xor %%ebp, %%ebp\n\t"
		"call *%1\n\t"
		"1: cli\n\t"
		"hlt\n\t"
		"jmp 1b"
		: : "r"(cr3), "r"(entry), "D"(bi) : "memory");
	__builtin_unreachable();
}
