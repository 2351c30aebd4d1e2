/*
 * Boot-package writer core: lays out named entries in the format of
 * capos/bootpkg.h (header, table, 4 KiB aligned data) into one malloc'd
 * buffer.  Used by the mkbootpkg tool and by the host tests that build
 * packages to corrupt.  Hosted C (malloc), not for the kernel.
 */
#ifndef MANIFESTS_TOOL_PKGWRITE_H
#define MANIFESTS_TOOL_PKGWRITE_H

#include <stddef.h>
#include <stdint.h>
#include <capos/bootpkg.h>

struct pkgwrite_item {
	const char *name;        /* 1..CAPOS_BOOTPKG_NAME_MAX-1 printable ASCII */
	uint32_t kind;           /* enum capos_bootpkg_kind */
	const void *data;
	uint64_t size;
};

/* Why pkgwrite_check refused an item list: item index and static text. */
struct pkgwrite_fault {
	int item;
	const char *what;
};

/* Check names, kinds and count; 0 or a negative CAPOS_E* code with *fault. */
int pkgwrite_check(const struct pkgwrite_item *items, unsigned count,
		   struct pkgwrite_fault *fault);

/*
 * Build the package for items[0..count) into a new buffer (*out, free()
 * it) of *size bytes.  Returns 0 or a negative CAPOS_E* code (with *fault
 * for a bad item list, -CAPOS_ENOMEM when malloc fails).
 */
int pkgwrite_build(const struct pkgwrite_item *items, unsigned count,
		   uint8_t **out, uint64_t *size, struct pkgwrite_fault *fault);

#endif
