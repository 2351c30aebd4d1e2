/*
 * The userboot image into the first process (capos/userboot.h).  The
 * image was laid out and checked at build time; the kernel re-checks the
 * few facts it relies on — the header, each segment inside the userboot
 * window, ascending, within the image's bytes, W^X, the entry in an
 * executable segment — and refuses an image that breaks one rather than
 * trusting it.  Then it only copies bytes: pages charged to the process,
 * each segment's bytes placed at its address with its protection.
 */
#include <capos/error.h>
#include <capos/prot.h>
#include "aspace.h"
#include "uaccess.h"
#include "userboot.h"

extern const uint8_t userboot_image[];
extern const uint64_t userboot_image_size;

static bool segment_ok(const struct capos_userboot_segment *s, uint64_t from)
{
	uint64_t bytes = s->pages * CAPOS_PAGE_SIZE;

	return s->vaddr % CAPOS_PAGE_SIZE == 0 && s->vaddr >= from && s->pages > 0 &&
	       s->pages <= (CAPOS_USERBOOT_END - s->vaddr) / CAPOS_PAGE_SIZE && s->filesz <= bytes &&
	       s->offset <= userboot_image_size && s->filesz <= userboot_image_size - s->offset &&
	       (s->prot & CAPOS_PROT_READ) && !(s->prot & ~CAPOS_PROT_ALL) &&
	       (s->prot & (CAPOS_PROT_WRITE | CAPOS_PROT_EXEC)) != (CAPOS_PROT_WRITE | CAPOS_PROT_EXEC);
}

static bool entry_ok(const struct capos_userboot_header *h)
{
	for (uint32_t i = 0; i < h->segments; i++) {
		const struct capos_userboot_segment *s = &h->seg[i];

		if ((s->prot & CAPOS_PROT_EXEC) && h->entry >= s->vaddr &&
		    h->entry - s->vaddr < s->pages * CAPOS_PAGE_SIZE)
			return true;
	}
	return false;
}

static const struct capos_userboot_header *userboot_header(void)
{
	const struct capos_userboot_header *h = (const void *)userboot_image;
	uint64_t from = CAPOS_USERBOOT_BASE;

	if (userboot_image_size < sizeof *h || h->magic != CAPOS_USERBOOT_MAGIC ||
	    h->version != CAPOS_USERBOOT_VERSION || h->segments < 1 || h->segments > CAPOS_USERBOOT_SEGS)
		return NULL;
	for (uint32_t i = 0; i < h->segments; i++) {
		if (!segment_ok(&h->seg[i], from))
			return NULL;
		from = h->seg[i].vaddr + h->seg[i].pages * CAPOS_PAGE_SIZE;
	}
	return entry_ok(h) ? h : NULL;
}

int userboot_map(struct aspace *as, const struct capos_userboot_header **out)
{
	const struct capos_userboot_header *h = userboot_header();

	if (!h)
		return -CAPOS_EFORMAT;
	for (uint32_t i = 0; i < h->segments; i++) {
		const struct capos_userboot_segment *s = &h->seg[i];
		int err = aspace_map_owned(as, s->vaddr, s->pages, s->prot, VMA_IMAGE, NULL);

		if (!err)
			err = uaccess_load(as, s->vaddr, userboot_image + s->offset, s->filesz);
		if (err)
			return err;  /* the caller abandons the process, and the space with it */
	}
	*out = h;
	return 0;
}
