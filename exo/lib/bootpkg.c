/*
 * Boot-package checker.  bootpkg_open() decodes the header, then the entry
 * table, then each entry, and stops at the first fault; nothing is trusted
 * before its CRC and bounds are checked, so a truncated or hostile file can
 * only produce a fault, never an out-of-bounds read.
 */
#include <stddef.h>
#include <capos/error.h>
#include "bootpkg.h"
#include "crc32.h"

static int fail(struct bootpkg_fault *fault, int entry, const char *what, int err)
{
	if (fault) {
		fault->entry = entry;
		fault->what = what;
	}
	return -err;
}

static int bytes_equal(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;

	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return 0;
	return 1;
}

/* Non-empty printable ASCII, NUL inside the field, zero after the NUL. */
static int name_ok(const char *name)
{
	size_t len = 0;

	while (len < CAPOS_BOOTPKG_NAME_MAX && name[len])
		len++;
	if (len == 0 || len == CAPOS_BOOTPKG_NAME_MAX)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (name[i] < 0x21 || name[i] > 0x7e)
			return 0;
	for (size_t i = len; i < CAPOS_BOOTPKG_NAME_MAX; i++)
		if (name[i])
			return 0;
	return 1;
}

static int check_header(const struct capos_bootpkg_header *h, uint64_t size,
			struct bootpkg_fault *fault)
{
	struct capos_bootpkg_header copy = *h;

	if (!bytes_equal(h->magic, CAPOS_BOOTPKG_MAGIC, 8))
		return fail(fault, -1, "bad magic (not a capOS boot package)", CAPOS_EFORMAT);
	if (h->version != CAPOS_BOOTPKG_VERSION)
		return fail(fault, -1, "unsupported boot package version", CAPOS_EFORMAT);
	copy.header_crc32 = 0;
	if (crc32_update(0, &copy, sizeof copy) != h->header_crc32)
		return fail(fault, -1, "header CRC32 mismatch", CAPOS_EFORMAT);
	if (h->total_size != size)
		return fail(fault, -1, "total_size differs from the file size", CAPOS_ETRUNC);
	if (h->entry_count > CAPOS_BOOTPKG_MAX_ENTRIES)
		return fail(fault, -1, "too many entries", CAPOS_EFORMAT);
	for (size_t i = 0; i < sizeof h->reserved; i++)
		if (h->reserved[i])
			return fail(fault, -1, "reserved header bytes are not zero", CAPOS_EFORMAT);
	return 0;
}

static int check_entry(const struct bootpkg_view *v, uint32_t i, uint64_t *next_free,
		       struct bootpkg_fault *fault)
{
	const struct capos_bootpkg_entry *e = &v->entries[i];

	if (!name_ok(e->name))
		return fail(fault, (int)i, "entry name is empty, unterminated or not printable", CAPOS_EFORMAT);
	if (e->kind < CAPOS_BOOTPKG_FILE || e->kind > CAPOS_BOOTPKG_ELF)
		return fail(fault, (int)i, "unknown entry kind", CAPOS_EFORMAT);
	if (e->offset % CAPOS_BOOTPKG_ALIGN)
		return fail(fault, (int)i, "entry offset is not 4 KiB aligned", CAPOS_EFORMAT);
	/* Entries are in file order, so overlap and table overlap are one check. */
	if (e->offset < *next_free)
		return fail(fault, (int)i, "entry overlaps the table or an earlier entry", CAPOS_EFORMAT);
	if (e->size > v->size || e->offset > v->size - e->size)
		return fail(fault, (int)i, "entry data runs past the end of the file", CAPOS_ETRUNC);
	if (crc32_update(0, v->base + e->offset, e->size) != e->crc32)
		return fail(fault, (int)i, "entry data CRC32 mismatch", CAPOS_EFORMAT);
	for (uint32_t j = 0; j < i; j++)
		if (bytes_equal(v->entries[j].name, e->name, CAPOS_BOOTPKG_NAME_MAX))
			return fail(fault, (int)i, "duplicate entry name", CAPOS_EFORMAT);
	*next_free = e->offset + e->size;
	return 0;
}

int bootpkg_open(struct bootpkg_view *view, const void *buf, uint64_t size,
		 struct bootpkg_fault *fault)
{
	const struct capos_bootpkg_header *h = buf;
	uint64_t table_end, next_free;
	int err;

	if (!buf || size < sizeof *h)
		return fail(fault, -1, "file is shorter than the header", CAPOS_ETRUNC);
	err = check_header(h, size, fault);
	if (err)
		return err;
	table_end = sizeof *h + (uint64_t)h->entry_count * sizeof(struct capos_bootpkg_entry);
	if (table_end > size)
		return fail(fault, -1, "entry table runs past the end of the file", CAPOS_ETRUNC);
	if (crc32_update(0, (const uint8_t *)buf + sizeof *h, table_end - sizeof *h) != h->table_crc32)
		return fail(fault, -1, "entry table CRC32 mismatch", CAPOS_EFORMAT);

	view->base = buf;
	view->size = size;
	view->hdr = h;
	view->entries = (const struct capos_bootpkg_entry *)(view->base + sizeof *h);
	view->count = h->entry_count;
	next_free = table_end;
	for (uint32_t i = 0; i < view->count; i++) {
		err = check_entry(view, i, &next_free, fault);
		if (err)
			return err;
	}
	return 0;
}

const struct capos_bootpkg_entry *bootpkg_find(const struct bootpkg_view *view,
					       const char *name)
{
	for (uint32_t i = 0; i < view->count; i++) {
		const char *n = view->entries[i].name;
		size_t k = 0;

		while (k < CAPOS_BOOTPKG_NAME_MAX && n[k] && n[k] == name[k])
			k++;
		if (k < CAPOS_BOOTPKG_NAME_MAX && n[k] == name[k])
			return &view->entries[i];
	}
	return NULL;
}
