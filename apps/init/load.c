/*
 * Loading the manifest: find the entry (default "manifest", or the one
 * named by the argument manifest=NAME) in the boot package the libOS maps
 * from "bootpkg" (capos/bootfiles.h), check that it is a compiled
 * manifest, and check it with the same reader the host tests and the
 * fuzzer exercise (exo/lib/manifest.c).  Every problem is reported as
 * "init: manifest: ..." naming the entry and what is wrong.  The view
 * points into the package's read-only mapping, which stays for init's
 * lifetime (entry data is page aligned, as the reader needs).
 */
#include <stdlib.h>
#include <string.h>
#include <capos/bootfiles.h>
#include <capos/bootpkg.h>
#include "init.h"

#define MANIFEST_SIZE_MAX (1u << 20)

static int find_entry(const char *name, const void **data, uint64_t *size)
{
	uint32_t kind = 0;
	int err;

	if (strlen(name) >= CAPOS_BOOTPKG_NAME_MAX) {
		report_manifest_error("entry name '%s' is too long", name);
		return -CAPOS_ERANGE;
	}
	err = capos_bootfile_find(name, data, size, &kind);
	if (err) {
		report_manifest_error("no entry '%s' in the boot package (%s)", name, capos_strerror(err));
		return err;
	}
	if (kind != CAPOS_BOOTPKG_MANIFEST) {
		report_manifest_error("entry '%s' is not a compiled manifest (it is %s)", name,
				      kind == CAPOS_BOOTPKG_ELF ? "a program" : "a plain file");
		return -CAPOS_ETYPE;
	}
	if (*size > MANIFEST_SIZE_MAX) {
		report_manifest_error("entry '%s' is %llu bytes, more than %u", name,
				      (unsigned long long)*size, MANIFEST_SIZE_MAX);
		return -CAPOS_ERANGE;
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
	const void *data = NULL;
	uint64_t size = 0;
	const char *what = "";
	int err;

	if (!capos_cap_find("bootpkg", NULL)) {
		report_manifest_error("init holds no 'bootpkg' capability");
		return -CAPOS_ENOENT;
	}
	err = find_entry(st->entry, &data, &size);
	if (err)
		return err;
	err = manifest_open(&st->view, data, size, &what);
	if (!err && st->view.hdr->service_count > INIT_MAX_SERVICES)
		what = "more services than init can run", err = -CAPOS_ERANGE;
	if (err) {
		report_manifest_error("'%s' is not a valid compiled manifest: %s", st->entry, what);
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
