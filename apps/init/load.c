/*
 * Loading the manifest: BootPackage.find the entry (default "manifest",
 * or the one named by the argument manifest=NAME), check that it is a
 * compiled manifest, read it in BootPackage.read chunks into an 8-byte
 * aligned buffer, and check it with the same reader the host tests and
 * the fuzzer exercise (exo/lib/manifest.c).  Every problem is reported
 * as "init: manifest: ..." naming the entry and what is wrong.  The
 * buffer stays for init's lifetime: the view points into it.
 */
#include <stdlib.h>
#include <string.h>
#include <capos/bootpkg.h>
#include "init.h"

#define MANIFEST_SIZE_MAX (1u << 20)

static struct capos_boot_package_read_out chunk;   /* 16 KiB: not on the stack */

static int find_entry(uint32_t cap, const char *name, uint32_t *index, uint64_t *size)
{
	struct capos_boot_package_find_in in = { { 0 } };
	struct capos_boot_package_find_out out = { 0 };
	int err;

	if (strlen(name) >= sizeof in.name) {
		report_manifest_error("entry name '%s' is too long", name);
		return -CAPOS_ERANGE;
	}
	strcpy(in.name, name);
	err = capos_boot_package_find(capos_ring(), cap, &in, &out);
	if (err) {
		report_manifest_error("no entry '%s' in the boot package (%s)", name, capos_strerror(err));
		return err;
	}
	if (out.kind != CAPOS_BOOTPKG_MANIFEST) {
		report_manifest_error("entry '%s' is not a compiled manifest (it is %s)", name,
				      out.kind == CAPOS_BOOTPKG_ELF ? "a program" : "a plain file");
		return -CAPOS_ETYPE;
	}
	if (out.size > MANIFEST_SIZE_MAX) {
		report_manifest_error("entry '%s' is %llu bytes, more than %u", name,
				      (unsigned long long)out.size, MANIFEST_SIZE_MAX);
		return -CAPOS_ERANGE;
	}
	*index = out.index;
	*size = out.size;
	return 0;
}

static int read_entry(uint32_t cap, uint32_t index, uint8_t *buf, uint64_t size)
{
	for (uint64_t off = 0; off < size;) {
		uint64_t left = size - off;
		struct capos_boot_package_read_in in = {
			.index = index,
			.length = (uint32_t)(left < sizeof chunk.data ? left : sizeof chunk.data),
			.offset = off,
		};
		uint32_t got = 0;
		int err = capos_boot_package_read(capos_ring(), cap, &in, &chunk, &got);

		if (err)
			return err;
		if (got == 0 || got > in.length)
			return -CAPOS_ETRUNC;
		memcpy(buf + off, chunk.data, got);
		off += got;
	}
	return 0;
}

static void list_services(struct init_state *st)
{
	st->count = st->view.hdr->service_count;
	for (uint32_t i = 0; i < st->count; i++) {
		st->svcs[i] = (struct svc){
			.owner = st, .index = i, .m = &st->view.services[i],
			.name = manifest_str(&st->view, st->view.services[i].name), .state = SVC_PENDING,
		};
	}
}

int load_manifest(struct init_state *st)
{
	uint32_t cap = capos_cap_find("bootpkg", NULL), index = 0;
	uint64_t size = 0;
	const char *what = "";
	uint8_t *buf;
	int err;

	if (!cap) {
		report_manifest_error("init holds no 'bootpkg' capability");
		return -CAPOS_ENOENT;
	}
	err = find_entry(cap, st->entry, &index, &size);
	if (err)
		return err;
	buf = aligned_alloc(8, (size + 7) & ~(uint64_t)7);
	if (!buf) {
		report_manifest_error("no memory for the %llu bytes of '%s'", (unsigned long long)size, st->entry);
		return -CAPOS_ENOMEM;
	}
	err = read_entry(cap, index, buf, size);
	if (err) {
		report_manifest_error("cannot read '%s': %s", st->entry, capos_strerror(err));
		free(buf);
		return err;
	}
	err = manifest_open(&st->view, buf, size, &what);
	if (!err && st->view.hdr->service_count > INIT_MAX_SERVICES)
		what = "more services than init can run", err = -CAPOS_ERANGE;
	if (err) {
		report_manifest_error("'%s' is not a valid compiled manifest: %s", st->entry, what);
		free(buf);
		return err;
	}
	st->exports = calloc(st->view.hdr->export_count + 1, sizeof *st->exports);
	if (!st->exports) {
		report_manifest_error("no memory for %u exports", st->view.hdr->export_count);
		return -CAPOS_ENOMEM;
	}
	list_services(st);
	report_manifest(st, size);
	return 0;
}
