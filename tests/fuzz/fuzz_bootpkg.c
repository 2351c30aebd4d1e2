/*
 * libFuzzer target for exo/lib/bootpkg.c.  An accepted package must have
 * every entry's data inside the input (touched byte by byte for the
 * sanitizers), a CRC that matches, and be found again by its name.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lib/bootpkg.h"
#include "lib/crc32.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_entries(const struct bootpkg_view *view)
{
	for (uint32_t i = 0; i < view->count; i++) {
		const struct capos_bootpkg_entry *e = &view->entries[i];

		if (crc32_update(0, bootpkg_data(view, e), e->size) != e->crc32)
			abort();
		if (bootpkg_find(view, e->name) != e)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bootpkg_view view;
	struct bootpkg_fault fault;
	uint8_t *buf = malloc(size ? size : 1);

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	if (bootpkg_open(&view, buf, size, &fault) == 0)
		check_entries(&view);
	else if (!fault.what)
		abort();
	free(buf);
	return 0;
}
