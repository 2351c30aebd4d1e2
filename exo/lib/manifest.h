/*
 * Reading a compiled manifest (format: capos/manifest.h).  Pure code with
 * no allocation, shared by init (issue 5) and the host tests:
 * manifest_open checks every offset, count, string and index before a
 * single field is trusted.
 */
#ifndef EXO_LIB_MANIFEST_H
#define EXO_LIB_MANIFEST_H

#include <stdint.h>
#include <capos/manifest.h>

struct manifest_view {
	const uint8_t *base;
	uint32_t size;
	const struct capos_manifest_header *hdr;
	const struct capos_manifest_service *services;
	const struct capos_manifest_cap *caps;
	const struct capos_manifest_export *exports;
	const struct capos_manifest_device *devices;
	const char *strings;
};

/* 0, or -CAPOS_EFORMAT / -CAPOS_ETRUNC with *what naming the problem. */
int manifest_open(struct manifest_view *v, const void *buf, uint64_t size, const char **what);

/*
 * After manifest_open, every CAPOS_CAP_FROM_DEVICE capability's
 * source_service indexes v->devices, and no device is named by two
 * capabilities.
 *
 * Index (into v->exports) of the export called name of services[service],
 * or -1.  After manifest_open, every CAPOS_CAP_FROM_SERVICE capability's
 * (source_service, source_name) is known to resolve.
 */
int manifest_export_find(const struct manifest_view *v, uint32_t service, const char *name);

/* A string by offset (checked by manifest_open to be NUL-terminated inside). */
static inline const char *manifest_str(const struct manifest_view *v, uint32_t off)
{
	return v->strings + off;
}

#endif
