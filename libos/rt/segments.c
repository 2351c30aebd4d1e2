/*
 * A program's segments into a target address space (segments.h): the
 * loader is the only one that ever sees the pages writable while it fills
 * them; the target gets them with the segment's own protection.
 */
#include <string.h>
#include <capos/rt.h>
#include "rt_internal.h"
#include "segments.h"

static void unmap_from_self(uint32_t mo, uint8_t *va, uint64_t pages)
{
	struct capos_memory_object_unmap_in in = { .vaddr = (uint64_t)(uintptr_t)va, .pages = pages };

	capos_memory_object_unmap(capos_ring(), mo, &in);
}

/* Copy len bytes of src to offset in mo, through a mapping in this process wherever the kernel finds room. */
static int fill(uint32_t mo, uint64_t pages, uint64_t offset, const void *src, uint64_t len)
{
	uint8_t *va;
	int err = capos_memory_map(mo, pages, CAPOS_PROT_READ | CAPOS_PROT_WRITE, (void **)&va);

	if (err)
		return err;
	memcpy(va + offset, src, len);
	unmap_from_self(mo, va, pages);
	return 0;
}

int load_give_memory(const struct load_target *t, uint64_t vaddr, uint64_t pages, uint32_t prot, uint64_t offset,
		     const void *src, uint64_t len)
{
	uint32_t mo = 0;
	int err = t->memory(t->ctx, pages, &mo);

	if (err)
		return err;
	if (len)
		err = fill(mo, pages, offset, src, len);
	if (!err)
		err = t->map(t->ctx, mo, vaddr, pages, prot);
	capos_release(capos_ring(), mo);
	return err;
}

int load_segments(const struct load_target *t, const struct load_plan *plan)
{
	struct elf_segment seg;

	for (unsigned n = 0; elf_segment(&plan->img, n, &seg) == 0; n++) {
		uint64_t start, end;
		int err;

		elf_segment_pages(&seg, &start, &end);
		err = load_give_memory(t, start, (end - start) / CAPOS_PAGE_SIZE, load_prot(seg.flags),
				       seg.vaddr - start, plan->img.base + seg.offset, seg.filesz);
		if (err)
			return err;
	}
	return 0;
}
