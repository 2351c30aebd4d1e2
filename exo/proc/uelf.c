/*
 * The kernel's user program loader, for init only; see uelf.h.  Check
 * everything, then map segment by segment, then the stack; a failure
 * removes what this load mapped, in reverse, before returning.
 */
#include <stdbool.h>
#include <capos/error.h>
#include <capos/prot.h>
#include "uelf.h"
#include "aspace.h"
#include "uaccess.h"

static int uelf_fail(struct elf_fault *fault, int index, const char *what, int err)
{
	if (fault) {
		fault->index = index;
		fault->what = what;
	}
	return err;
}

static bool uelf_pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

/* Does [va, va + len) lie inside some PT_LOAD segment's memory image? */
static bool uelf_in_load(const struct elf_image *img, uint64_t va, uint64_t len)
{
	for (int i = 0; i < img->phnum; i++) {
		const struct elf64_phdr *ph = &img->phdr[i];

		if (ph->p_type == ELF_PT_LOAD && va >= ph->p_vaddr &&
		    len <= ph->p_memsz && va - ph->p_vaddr <= ph->p_memsz - len)
			return true;
	}
	return false;
}

static int uelf_check_tls_header(const struct elf_image *img, int i, struct uelf_info *tls,
				 struct elf_fault *fault)
{
	const struct elf64_phdr *ph = &img->phdr[i];
	uint64_t align = ph->p_align ? ph->p_align : 1;

	if (tls->tls_memsz)
		return uelf_fail(fault, i, "more than one TLS segment (PT_TLS)", -CAPOS_EFORMAT);
	if (ph->p_filesz > ph->p_memsz)
		return uelf_fail(fault, i, "TLS file size exceeds its memory size", -CAPOS_EFORMAT);
	if (ph->p_memsz == 0 || ph->p_memsz > UELF_TLS_MAX)
		return uelf_fail(fault, i, "TLS segment is empty or too large", -CAPOS_EFORMAT);
	if (!uelf_pow2(align) || align > CAPOS_PAGE_SIZE)
		return uelf_fail(fault, i, "TLS alignment is not a power of two up to the page size",
				 -CAPOS_EFORMAT);
	if (!uelf_in_load(img, ph->p_vaddr, ph->p_filesz))
		return uelf_fail(fault, i, "TLS template lies outside the loadable segments", -CAPOS_EFORMAT);
	tls->tls_image = ph->p_vaddr;
	tls->tls_filesz = ph->p_filesz;
	tls->tls_memsz = ph->p_memsz;
	tls->tls_align = align;
	return 0;
}

static int uelf_find_tls(const struct elf_image *img, struct uelf_info *tls, struct elf_fault *fault)
{
	for (int i = 0; i < img->phnum; i++) {
		int err;

		if (img->phdr[i].p_type != ELF_PT_TLS)
			continue;
		err = uelf_check_tls_header(img, i, tls, fault);
		if (err)
			return err;
	}
	return 0;
}

static int uelf_check_params(const struct uelf_params *p, struct elf_fault *fault)
{
	if (p->stack_pages == 0 || p->guard_pages == 0)
		return uelf_fail(fault, -1, "stack or guard size is 0", -CAPOS_EINVAL);
	if (p->stack_top & (CAPOS_PAGE_SIZE - 1))
		return uelf_fail(fault, -1, "stack top is not page aligned", -CAPOS_EINVAL);
	return 0;
}

static const char *uelf_map_error(int err, bool stack)
{
	switch (err) {
	case -CAPOS_EEXIST:
		return stack ? "stack overlaps a segment or an existing mapping"
			     : "segment overlaps an existing mapping";
	case -CAPOS_EQUOTA:
		return stack ? "frame quota exhausted mapping the stack"
			     : "frame quota exhausted loading segment";
	case -CAPOS_ENOMEM:
		return stack ? "out of memory mapping the stack" : "out of memory loading segment";
	default:
		return stack ? "stack does not fit in the user address range"
			     : "segment cannot be mapped";
	}
}

static uint32_t uelf_prot(uint32_t pflags)
{
	return CAPOS_PROT_READ | ((pflags & ELF_PF_W) ? CAPOS_PROT_WRITE : 0) |
	       ((pflags & ELF_PF_X) ? CAPOS_PROT_EXEC : 0);
}

static void uelf_seg(const struct elf64_phdr *ph, int i, struct elf_segment *seg)
{
	seg->vaddr = ph->p_vaddr;
	seg->memsz = ph->p_memsz;
	seg->offset = ph->p_offset;
	seg->filesz = ph->p_filesz;
	seg->flags = ph->p_flags;
	seg->index = i;
}

static int uelf_map_segment(struct aspace *as, const struct elf_image *img, int i,
			    struct elf_fault *fault)
{
	struct elf_segment seg;
	uint64_t start, end;
	int err;

	uelf_seg(&img->phdr[i], i, &seg);
	elf_segment_pages(&seg, &start, &end);
	err = aspace_map_owned(as, start, (end - start) / CAPOS_PAGE_SIZE, uelf_prot(seg.flags),
			       VMA_IMAGE, NULL);
	if (err)
		return uelf_fail(fault, i, uelf_map_error(err, false), err);
	err = uaccess_load(as, seg.vaddr, img->base + seg.offset, seg.filesz);
	if (err) {
		aspace_remove(as, start, (end - start) / CAPOS_PAGE_SIZE);
		return uelf_fail(fault, i, "segment pages vanished while loading", err);
	}
	return 0;
}

/* Remove the PT_LOAD segments among program headers [0, upto). */
static void uelf_unmap_segments(struct aspace *as, const struct elf_image *img, int upto)
{
	for (int i = 0; i < upto; i++) {
		struct elf_segment seg;
		uint64_t start, end;

		if (img->phdr[i].p_type != ELF_PT_LOAD)
			continue;
		uelf_seg(&img->phdr[i], i, &seg);
		elf_segment_pages(&seg, &start, &end);
		aspace_remove(as, start, (end - start) / CAPOS_PAGE_SIZE);
	}
}

/* Map every PT_LOAD; on failure none stays.  Fills segments and brk. */
static int uelf_map_segments(struct aspace *as, const struct elf_image *img, struct uelf_info *out,
			     struct elf_fault *fault)
{
	out->segments = 0;
	out->brk_start = 0;
	for (int i = 0; i < img->phnum; i++) {
		struct elf_segment seg;
		uint64_t start, end;
		int err;

		if (img->phdr[i].p_type != ELF_PT_LOAD)
			continue;
		err = uelf_map_segment(as, img, i, fault);
		if (err) {
			uelf_unmap_segments(as, img, i);
			return err;
		}
		uelf_seg(&img->phdr[i], i, &seg);
		elf_segment_pages(&seg, &start, &end);
		if (end > out->brk_start)
			out->brk_start = end;
		out->segments++;
	}
	return 0;
}

/* Open and check the file and its TLS header; *info starts zeroed. */
static int uelf_check(struct elf_image *img, const void *image, uint64_t size,
		      struct uelf_info *info, struct elf_fault *fault)
{
	int err = elf_open(img, image, size, fault);

	if (err)
		return err;
	err = elf_check_load(img, CAPOS_USER_MIN, CAPOS_USER_MAX, fault);
	if (err < 0)
		return err;
	*info = (struct uelf_info){ .entry = img->entry };
	return uelf_find_tls(img, info, fault);
}

int uelf_load(struct aspace *as, const void *image, uint64_t size, struct uelf_info *out,
	      struct elf_fault *fault)
{
	struct elf_image img;
	struct uelf_info info;
	int err = uelf_check(&img, image, size, &info, fault);

	if (!err)
		err = uelf_map_segments(as, &img, &info, fault);
	if (!err)
		*out = info;
	return err;
}

int uelf_load_process(struct aspace *as, const void *image, uint64_t size,
		      const struct uelf_params *params, struct uelf_info *out, struct elf_fault *fault)
{
	struct elf_image img;
	struct uelf_info info;
	uint64_t top = params->stack_top ? params->stack_top : CAPOS_USER_STACK_TOP;
	int err = uelf_check(&img, image, size, &info, fault);

	if (!err)
		err = uelf_check_params(params, fault);
	if (!err)
		err = uelf_map_segments(as, &img, &info, fault);
	if (err)
		return err;
	err = aspace_map_stack(as, top, params->stack_pages, params->guard_pages, &info.stack_top);
	if (err) {
		uelf_unmap_segments(as, &img, img.phnum);
		return uelf_fail(fault, -1, uelf_map_error(err, true), err);
	}
	info.stack_bottom = info.stack_top - params->stack_pages * CAPOS_PAGE_SIZE;
	*out = info;
	return 0;
}
