/*
 * mkbootpkg: write a capOS boot package on the host.
 *
 *   mkbootpkg -o out.pkg NAME=KIND:PATH ...     KIND is file, manifest or elf
 *
 * Reads each file, checks ELF entries with the same ELF library the loader
 * and kernel use (static x86_64 executable, loadable in the user half),
 * writes the package through a temporary file, then re-opens the result
 * with bootpkg_open() so a package it writes is one the loader accepts.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <capos/error.h>
#include "lib/bootpkg.h"
#include "lib/elf.h"
#include "pkgwrite.h"

#define USER_VMIN 0x1000ull
#define USER_VMAX 0x0000800000000000ull

struct spec {
	char *name;
	const char *path;
	struct pkgwrite_item item;
	void *buf;
};

static void usage(void)
{
	fprintf(stderr, "usage: mkbootpkg -o OUT NAME=KIND:PATH ...  (KIND: file, manifest, elf)\n");
}

static int parse_kind(const char *s, size_t len, uint32_t *kind)
{
	static const struct { const char *word; uint32_t kind; } kinds[] = {
		{ "file", CAPOS_BOOTPKG_FILE },
		{ "manifest", CAPOS_BOOTPKG_MANIFEST },
		{ "elf", CAPOS_BOOTPKG_ELF },
	};

	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (strlen(kinds[i].word) == len && strncmp(s, kinds[i].word, len) == 0) {
			*kind = kinds[i].kind;
			return 0;
		}
	return -1;
}

/* NAME=KIND:PATH; the name is copied, path points into arg. */
static int parse_spec(const char *arg, struct spec *sp)
{
	const char *eq = strchr(arg, '=');
	const char *colon = eq ? strchr(eq + 1, ':') : NULL;

	if (!eq || !colon || colon[1] == '\0') {
		fprintf(stderr, "mkbootpkg: bad entry '%s' (expected NAME=KIND:PATH)\n", arg);
		return -1;
	}
	if (parse_kind(eq + 1, (size_t)(colon - eq - 1), &sp->item.kind)) {
		fprintf(stderr, "mkbootpkg: entry '%s': unknown kind '%.*s' (file, manifest or elf)\n",
			arg, (int)(colon - eq - 1), eq + 1);
		return -1;
	}
	sp->name = strndup(arg, (size_t)(eq - arg));
	sp->path = colon + 1;
	sp->item.name = sp->name;
	return sp->name ? 0 : -1;
}

static int read_file(struct spec *sp)
{
	FILE *f = fopen(sp->path, "rb");
	long len;

	if (!f) {
		fprintf(stderr, "mkbootpkg: %s: cannot read %s: %s\n", sp->name, sp->path, strerror(errno));
		return -1;
	}
	if (fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fprintf(stderr, "mkbootpkg: %s: cannot size %s: %s\n", sp->name, sp->path, strerror(errno));
		fclose(f);
		return -1;
	}
	sp->buf = malloc(len ? (size_t)len : 1);
	if (!sp->buf || fread(sp->buf, 1, (size_t)len, f) != (size_t)len) {
		fprintf(stderr, "mkbootpkg: %s: cannot read %s\n", sp->name, sp->path);
		fclose(f);
		return -1;
	}
	fclose(f);
	sp->item.data = sp->buf;
	sp->item.size = (uint64_t)len;
	return 0;
}

static int check_elf(const struct spec *sp)
{
	struct elf_image img;
	struct elf_fault fault = { -1, "unknown" };
	int err;

	err = elf_open(&img, sp->buf, sp->item.size, &fault);
	if (!err)
		err = elf_check_load(&img, USER_VMIN, USER_VMAX, &fault);
	if (err >= 0)
		return 0;
	if (fault.index >= 0)
		fprintf(stderr, "mkbootpkg: %s: %s: not a loadable program: program header %d: %s\n",
			sp->name, sp->path, fault.index, fault.what);
	else
		fprintf(stderr, "mkbootpkg: %s: %s: not a loadable program: %s\n",
			sp->name, sp->path, fault.what);
	return -1;
}

static int write_all(const char *path, const uint8_t *buf, uint64_t size)
{
	FILE *f = fopen(path, "wb");

	if (!f) {
		fprintf(stderr, "mkbootpkg: cannot create %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fwrite(buf, 1, (size_t)size, f) != size || fclose(f) != 0) {
		fprintf(stderr, "mkbootpkg: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Read the written file back and run the loader's checker over it. */
static int verify_output(const char *path)
{
	struct spec back = { .name = "(output)", .path = path };
	struct bootpkg_view view;
	struct bootpkg_fault fault = { -1, "unknown" };
	int err;

	if (read_file(&back))
		return -1;
	err = bootpkg_open(&view, back.buf, back.item.size, &fault);
	free(back.buf);
	if (err == 0)
		return 0;
	fprintf(stderr, "mkbootpkg: %s: written package fails its check: entry %d: %s\n",
		path, fault.entry, fault.what);
	return -1;
}

static int build_and_write(const char *out, struct spec *specs, unsigned n)
{
	struct pkgwrite_item *items = calloc(n ? n : 1, sizeof *items);
	struct pkgwrite_fault fault = { -1, "unknown" };
	char tmp[4096];
	uint8_t *pkg = NULL;
	uint64_t size = 0;
	int err;

	if (!items)
		return -1;
	for (unsigned i = 0; i < n; i++)
		items[i] = specs[i].item;
	err = pkgwrite_build(items, n, &pkg, &size, &fault);
	free(items);
	if (err) {
		fprintf(stderr, "mkbootpkg: %s%s%s\n", fault.item >= 0 ? specs[fault.item].name : "",
			fault.item >= 0 ? ": " : "", fault.what);
		return -1;
	}
	snprintf(tmp, sizeof tmp, "%s.tmp", out);
	err = write_all(tmp, pkg, size);
	free(pkg);
	if (!err && (err = verify_output(tmp)) == 0 && rename(tmp, out) != 0) {
		fprintf(stderr, "mkbootpkg: cannot rename %s to %s: %s\n", tmp, out, strerror(errno));
		err = -1;
	}
	if (err)
		remove(tmp);
	return err;
}

static int load_specs(char **argv, int argc, struct spec *specs)
{
	for (int i = 0; i < argc; i++) {
		if (parse_spec(argv[i], &specs[i]) || read_file(&specs[i]))
			return -1;
		if (specs[i].item.kind == CAPOS_BOOTPKG_ELF && check_elf(&specs[i]))
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct spec *specs;
	int n, err;

	if (argc < 3 || strcmp(argv[1], "-o") != 0) {
		usage();
		return 2;
	}
	n = argc - 3;
	specs = calloc((size_t)(n ? n : 1), sizeof *specs);
	if (!specs)
		return 1;
	err = load_specs(argv + 3, n, specs);
	if (!err)
		err = build_and_write(argv[2], specs, (unsigned)n);
	for (int i = 0; i < n; i++) {
		free(specs[i].name);
		free(specs[i].buf);
	}
	free(specs);
	return err ? 1 : 0;
}
