/*
 * Boot-package layout (see pkgwrite.h): check the item list first, size
 * the file (table after the 64-byte header, each entry's data at the next
 * 4 KiB boundary), then fill a zeroed buffer and compute the CRCs last,
 * table before header since the header covers the table CRC.
 */
#include <stdlib.h>
#include <string.h>
#include <capos/error.h>
#include "pkgwrite.h"
#include "lib/crc32.h"

static int fault_at(struct pkgwrite_fault *fault, int item, const char *what, int err)
{
	if (fault) {
		fault->item = item;
		fault->what = what;
	}
	return -err;
}

static int name_check(const char *name)
{
	size_t len = name ? strlen(name) : 0;

	if (len == 0)
		return -1;
	if (len >= CAPOS_BOOTPKG_NAME_MAX)
		return -2;
	for (size_t i = 0; i < len; i++)
		if (name[i] < 0x21 || name[i] > 0x7e)
			return -3;
	return 0;
}

int pkgwrite_check(const struct pkgwrite_item *items, unsigned count,
		   struct pkgwrite_fault *fault)
{
	if (count > CAPOS_BOOTPKG_MAX_ENTRIES)
		return fault_at(fault, -1, "too many entries (at most 1024)", CAPOS_ERANGE);
	for (unsigned i = 0; i < count; i++) {
		int n = name_check(items[i].name);

		if (n == -1)
			return fault_at(fault, (int)i, "entry name is empty", CAPOS_EINVAL);
		if (n == -2)
			return fault_at(fault, (int)i, "entry name is too long (at most 39 bytes)", CAPOS_ERANGE);
		if (n == -3)
			return fault_at(fault, (int)i, "entry name has spaces or non-printable characters", CAPOS_EINVAL);
		if (items[i].kind < CAPOS_BOOTPKG_FILE || items[i].kind > CAPOS_BOOTPKG_ELF)
			return fault_at(fault, (int)i, "unknown entry kind", CAPOS_EINVAL);
		if (items[i].size && !items[i].data)
			return fault_at(fault, (int)i, "entry has a size but no data", CAPOS_EINVAL);
		for (unsigned j = 0; j < i; j++)
			if (strcmp(items[j].name, items[i].name) == 0)
				return fault_at(fault, (int)i, "duplicate entry name", CAPOS_EEXIST);
	}
	return 0;
}

static uint64_t align_up(uint64_t x)
{
	return (x + CAPOS_BOOTPKG_ALIGN - 1) & ~(uint64_t)(CAPOS_BOOTPKG_ALIGN - 1);
}

/* File size, or 0 when it would not fit in 64 bits. */
static uint64_t layout_size(const struct pkgwrite_item *items, unsigned count)
{
	uint64_t end = sizeof(struct capos_bootpkg_header) +
		       (uint64_t)count * sizeof(struct capos_bootpkg_entry);

	for (unsigned i = 0; i < count; i++) {
		if (items[i].size > UINT64_MAX - align_up(end) - CAPOS_BOOTPKG_ALIGN)
			return 0;
		end = align_up(end) + items[i].size;
	}
	return end;
}

static void fill(uint8_t *buf, uint64_t size, const struct pkgwrite_item *items, unsigned count)
{
	struct capos_bootpkg_header *h = (struct capos_bootpkg_header *)buf;
	struct capos_bootpkg_entry *e = (struct capos_bootpkg_entry *)(buf + sizeof *h);
	uint64_t off = sizeof *h + (uint64_t)count * sizeof *e;

	for (unsigned i = 0; i < count; i++) {
		off = align_up(off);
		strcpy(e[i].name, items[i].name);
		e[i].offset = off;
		e[i].size = items[i].size;
		e[i].kind = items[i].kind;
		e[i].crc32 = crc32_update(0, items[i].data, items[i].size);
		if (items[i].size)
			memcpy(buf + off, items[i].data, items[i].size);
		off += items[i].size;
	}
	memcpy(h->magic, CAPOS_BOOTPKG_MAGIC, sizeof h->magic);
	h->version = CAPOS_BOOTPKG_VERSION;
	h->entry_count = count;
	h->total_size = size;
	h->table_crc32 = crc32_update(0, e, (size_t)count * sizeof *e);
	h->header_crc32 = crc32_update(0, h, sizeof *h);
}

int pkgwrite_build(const struct pkgwrite_item *items, unsigned count,
		   uint8_t **out, uint64_t *size, struct pkgwrite_fault *fault)
{
	uint64_t total;
	uint8_t *buf;
	int err;

	err = pkgwrite_check(items, count, fault);
	if (err)
		return err;
	total = layout_size(items, count);
	if (total == 0 || total > SIZE_MAX)
		return fault_at(fault, -1, "package would be too large", CAPOS_ERANGE);
	buf = calloc(1, (size_t)total);
	if (!buf)
		return fault_at(fault, -1, "out of memory", CAPOS_ENOMEM);
	fill(buf, total, items, count);
	*out = buf;
	*size = total;
	return 0;
}
