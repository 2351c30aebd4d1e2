/*
 * Checking a program for the loader (loadplan.h): everything the kernel's
 * loader checked, decided before the child is created so a bad file
 * costs nothing.
 */
#include <stdbool.h>
#include <capos/error.h>
#include "loadplan.h"

static int plan_fail(struct elf_fault *fault, int index, const char *what)
{
	if (fault) {
		fault->index = index;
		fault->what = what;
	}
	return -CAPOS_EFORMAT;
}

static bool pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

/* Does [va, va + len) lie inside some PT_LOAD segment's memory image? */
static bool in_load(const struct elf_image *img, uint64_t va, uint64_t len)
{
	for (int i = 0; i < img->phnum; i++) {
		const struct elf64_phdr *ph = &img->phdr[i];

		if (ph->p_type == ELF_PT_LOAD && va >= ph->p_vaddr && len <= ph->p_memsz &&
		    va - ph->p_vaddr <= ph->p_memsz - len)
			return true;
	}
	return false;
}

static int check_tls(const struct elf_image *img, int i, struct load_plan *plan, struct elf_fault *fault)
{
	const struct elf64_phdr *ph = &img->phdr[i];
	uint64_t align = ph->p_align ? ph->p_align : 1;

	if (plan->tls_memsz)
		return plan_fail(fault, i, "more than one TLS segment (PT_TLS)");
	if (ph->p_filesz > ph->p_memsz)
		return plan_fail(fault, i, "TLS file size exceeds its memory size");
	if (ph->p_memsz == 0 || ph->p_memsz > LOAD_TLS_MAX)
		return plan_fail(fault, i, "TLS segment is empty or too large");
	if (!pow2(align) || align > CAPOS_PAGE_SIZE)
		return plan_fail(fault, i, "TLS alignment is not a power of two up to the page size");
	if (!in_load(img, ph->p_vaddr, ph->p_filesz))
		return plan_fail(fault, i, "TLS template lies outside the loadable segments");
	plan->tls_image = ph->p_vaddr;
	plan->tls_filesz = ph->p_filesz;
	plan->tls_memsz = ph->p_memsz;
	plan->tls_align = align;
	return 0;
}

static void find_heap_start(struct load_plan *plan)
{
	struct elf_segment seg;

	plan->heap_start = 0;
	for (unsigned n = 0; elf_segment(&plan->img, n, &seg) == 0; n++) {
		uint64_t start, end;

		elf_segment_pages(&seg, &start, &end);
		if (end > plan->heap_start)
			plan->heap_start = end;
	}
}

int load_plan_check(const void *image, uint64_t size, struct load_plan *plan, struct elf_fault *fault)
{
	int n, err = elf_open(&plan->img, image, size, fault);

	if (err)
		return err;
	n = elf_check_load(&plan->img, CAPOS_USER_MIN, LOAD_WINDOW_END, fault);
	if (n < 0)
		return n;
	plan->segments = (uint32_t)n;
	plan->entry = plan->img.entry;
	plan->tls_image = plan->tls_filesz = plan->tls_memsz = 0;
	plan->tls_align = 0;
	for (int i = 0; i < plan->img.phnum; i++) {
		if (plan->img.phdr[i].p_type != ELF_PT_TLS)
			continue;
		err = check_tls(&plan->img, i, plan, fault);
		if (err)
			return err;
	}
	find_heap_start(plan);
	return 0;
}

uint32_t load_prot(uint32_t pflags)
{
	return CAPOS_PROT_READ | ((pflags & ELF_PF_W) ? CAPOS_PROT_WRITE : 0) |
	       ((pflags & ELF_PF_X) ? CAPOS_PROT_EXEC : 0);
}
