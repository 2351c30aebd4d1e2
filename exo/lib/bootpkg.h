/*
 * Checking and reading a boot package (format: capos/bootpkg.h).
 * Pure code with no allocation: shared by the loader, the kernel, the host
 * writer and the host tests.
 */
#ifndef EXO_LIB_BOOTPKG_H
#define EXO_LIB_BOOTPKG_H

#include <stdint.h>
#include <capos/bootpkg.h>

struct bootpkg_view {
	const uint8_t *base;
	uint64_t size;
	const struct capos_bootpkg_header *hdr;
	const struct capos_bootpkg_entry *entries;
	uint32_t count;
};

/* Where a check failed: entry is -1 for the header or table. */
struct bootpkg_fault {
	int entry;
	const char *what;   /* static text, e.g. "entry data CRC32 mismatch" */
};

/*
 * Check every invariant of the package in buf[0..size) and fill *view.
 * Returns 0, or -CAPOS_EFORMAT / -CAPOS_ETRUNC with *fault saying what is
 * wrong.  The buffer must stay alive and unchanged while the view is used.
 */
int bootpkg_open(struct bootpkg_view *view, const void *buf, uint64_t size,
		 struct bootpkg_fault *fault);

/* The entry named name, or NULL. */
const struct capos_bootpkg_entry *bootpkg_find(const struct bootpkg_view *view,
					       const char *name);

static inline const void *bootpkg_data(const struct bootpkg_view *view,
				       const struct capos_bootpkg_entry *e)
{
	return view->base + e->offset;
}

#endif
