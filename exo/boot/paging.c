/*
 * The page tables the kernel starts on (4-level, pages of type
 * CAPOS_MEM_EARLY_PT): physical memory [0, ram_top) identity mapped and
 * executable (the loader runs from it while switching CR3), the same range
 * at CAPOS_HHDM_BASE without execute, both with 2 MiB pages; and each
 * kernel segment at its link address with 4 KiB pages and its own rights.
 */
#include "console.h"
#include "loader.h"

#define PTE_P (1ull << 0)
#define PTE_W (1ull << 1)
#define PTE_PS (1ull << 7)
#define PTE_NX (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull
#define PAGE_2M (2ull << 20)

static EFI_STATUS pt_alloc(uint64_t *phys)
{
	EFI_PHYSICAL_ADDRESS addr = 0;
	EFI_STATUS st;

	st = BS->AllocatePages(AllocateAnyPages, loader_mem_type(CAPOS_MEM_EARLY_PT), 1, &addr);
	if (EFI_ERROR(st)) {
		con_error("not enough memory for the kernel's page tables");
		return EFI_OUT_OF_RESOURCES;
	}
	BS->SetMem((void *)(uintptr_t)addr, LOADER_PAGE, 0);
	*phys = addr;
	return EFI_SUCCESS;
}

/* The table entry idx of table points to, created when absent. */
static EFI_STATUS pt_descend(uint64_t table, unsigned idx, uint64_t *next)
{
	uint64_t *e = (uint64_t *)(uintptr_t)table + idx;
	EFI_STATUS st;

	if (*e & PTE_PS) {
		con_error("page-table conflict: a kernel page falls inside a large page");
		return EFI_LOAD_ERROR;
	}
	if (!(*e & PTE_P)) {
		st = pt_alloc(next);
		if (EFI_ERROR(st))
			return st;
		*e = *next | PTE_P | PTE_W;
		return EFI_SUCCESS;
	}
	*next = *e & PTE_ADDR;
	return EFI_SUCCESS;
}

/* Map one page of 2 MiB (level 2) or 4 KiB (level 1). */
static EFI_STATUS pt_map(uint64_t root, uint64_t virt, uint64_t phys, uint64_t flags, int level)
{
	uint64_t table = root;
	EFI_STATUS st;

	for (int shift = 39; shift > 12 + 9 * (level - 1); shift -= 9) {
		st = pt_descend(table, (unsigned)((virt >> shift) & 511), &table);
		if (EFI_ERROR(st))
			return st;
	}
	((uint64_t *)(uintptr_t)table)[(virt >> (12 + 9 * (level - 1))) & 511] =
		phys | flags | PTE_P | (level == 2 ? PTE_PS : 0);
	return EFI_SUCCESS;
}

static EFI_STATUS paging_direct_maps(struct loader *ld)
{
	uint64_t end = (ld->ram_top + PAGE_2M - 1) & ~(PAGE_2M - 1);
	EFI_STATUS st;

	for (uint64_t pa = 0; pa < end; pa += PAGE_2M) {
		st = pt_map(ld->pml4, pa, pa, PTE_W, 2);
		if (!EFI_ERROR(st))
			st = pt_map(ld->pml4, CAPOS_HHDM_BASE + pa, pa, PTE_W | PTE_NX, 2);
		if (EFI_ERROR(st))
			return st;
	}
	return EFI_SUCCESS;
}

static EFI_STATUS paging_kernel_segment(struct loader *ld, const struct capos_kernel_segment *ks)
{
	uint64_t flags = 0;
	EFI_STATUS st;

	if (ks->flags & CAPOS_KSEG_W)
		flags |= PTE_W;
	if (!(ks->flags & CAPOS_KSEG_X))
		flags |= PTE_NX;
	for (uint64_t i = 0; i < ks->pages; i++) {
		st = pt_map(ld->pml4, ks->virt + i * LOADER_PAGE, ks->phys + i * LOADER_PAGE, flags, 1);
		if (EFI_ERROR(st))
			return st;
	}
	return EFI_SUCCESS;
}

EFI_STATUS paging_build(struct loader *ld)
{
	EFI_STATUS st;

	if (ld->ram_top > CAPOS_KERNEL_BASE - CAPOS_HHDM_BASE) {
		con_error("%llu GiB of physical address space do not fit the direct map",
			  (unsigned long long)(ld->ram_top >> 30));
		return EFI_UNSUPPORTED;
	}
	st = pt_alloc(&ld->pml4);
	if (!EFI_ERROR(st))
		st = paging_direct_maps(ld);
	for (uint32_t i = 0; i < ld->kseg_count && !EFI_ERROR(st); i++)
		st = paging_kernel_segment(ld, &ld->kseg[i]);
	return st;
}
