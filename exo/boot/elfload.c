/*
 * The kernel image: checks \capos\kernel.elf with the ELF library (window
 * [CAPOS_KERNEL_BASE, 2^64 - 4096)), then copies each PT_LOAD segment into
 * fresh pages of type CAPOS_MEM_KERNEL, zeroing the rest (bss).  The file
 * itself stays in memory (CAPOS_MEM_KERNEL_FILE) for the kernel's symbols.
 */
#include "console.h"
#include "loader.h"

#define ELFLOAD_VMAX (0ull - LOADER_PAGE)

static void elfload_report(const struct loader *ld, const struct elf_fault *f)
{
	if (f->index >= 0)
		con_error("%s: invalid kernel: program header %d: %s", ld->kernel.path,
			  f->index, f->what);
	else
		con_error("%s: invalid kernel: %s", ld->kernel.path, f->what);
}

EFI_STATUS elfload_check(struct loader *ld)
{
	struct elf_fault fault = { -1, "unknown" };
	int n;

	n = elf_open(&ld->kimg, ld->kernel.data, ld->kernel.size, &fault);
	if (n == 0)
		n = elf_check_load(&ld->kimg, CAPOS_KERNEL_BASE, ELFLOAD_VMAX, &fault);
	if (n < 0) {
		elfload_report(ld, &fault);
		return EFI_LOAD_ERROR;
	}
	if (n > CAPOS_KSEG_MAX) {
		con_error("%s: invalid kernel: %d loadable segments, at most %d supported",
			  ld->kernel.path, n, CAPOS_KSEG_MAX);
		return EFI_LOAD_ERROR;
	}
	ld->kseg_count = (uint32_t)n;
	return EFI_SUCCESS;
}

static uint32_t elfload_flags(uint32_t pf)
{
	uint32_t f = 0;

	if (pf & ELF_PF_R)
		f |= CAPOS_KSEG_R;
	if (pf & ELF_PF_W)
		f |= CAPOS_KSEG_W;
	if (pf & ELF_PF_X)
		f |= CAPOS_KSEG_X;
	return f;
}

static EFI_STATUS elfload_one(struct loader *ld, unsigned i)
{
	struct capos_kernel_segment *ks = &ld->kseg[i];
	struct elf_segment seg;
	EFI_PHYSICAL_ADDRESS addr = 0;
	uint64_t start, end;
	uint8_t *mem;
	EFI_STATUS st;

	elf_segment(&ld->kimg, i, &seg);
	elf_segment_pages(&seg, &start, &end);
	ks->virt = start;
	ks->pages = (end - start) / LOADER_PAGE;
	ks->flags = elfload_flags(seg.flags);
	ks->reserved = 0;
	st = BS->AllocatePages(AllocateAnyPages, loader_mem_type(CAPOS_MEM_KERNEL), ks->pages, &addr);
	if (EFI_ERROR(st)) {
		con_error("%s: not enough memory for kernel segment %u: %llu KiB needed,"
			  " %llu KiB of RAM free", ld->kernel.path, i,
			  (unsigned long long)(ks->pages * 4), (unsigned long long)memmap_free_kib(ld));
		return EFI_OUT_OF_RESOURCES;
	}
	ks->phys = addr;
	mem = (uint8_t *)(uintptr_t)addr;
	BS->SetMem(mem, ks->pages * LOADER_PAGE, 0);
	BS->CopyMem(mem + (seg.vaddr - start), ld->kernel.data + seg.offset, seg.filesz);
	return EFI_SUCCESS;
}

EFI_STATUS elfload_segments(struct loader *ld)
{
	for (unsigned i = 0; i < ld->kseg_count; i++) {
		EFI_STATUS st = elfload_one(ld, i);

		if (EFI_ERROR(st))
			return st;
	}
	return EFI_SUCCESS;
}
