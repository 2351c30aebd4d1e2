/*
 * libFuzzer target for exo/lib/elf.c.  Any input must either be refused
 * with a fault string or yield segments, symbols and names that lie wholly
 * inside the input; the target touches every byte it is promised so the
 * sanitizers catch a checker that promised too much.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <capos/bootinfo.h>
#include "lib/elf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint8_t sink;

static void touch(const uint8_t *p, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		sink ^= p[i];
}

static void fuzz_segments(const struct elf_image *img, uint64_t vmin, uint64_t vmax)
{
	struct elf_fault fault;
	struct elf_segment seg;
	int n = elf_check_load(img, vmin, vmax, &fault);

	if (n < 0) {
		if (!fault.what)
			abort();
		return;
	}
	for (int i = 0; i < n; i++) {
		if (elf_segment(img, (unsigned)i, &seg) != 0 || seg.filesz > seg.memsz)
			abort();
		touch(img->base + seg.offset, seg.filesz);
	}
	if (elf_segment(img, (unsigned)n, &seg) == 0)
		abort();
}

static void fuzz_symbols(const struct elf_image *img)
{
	struct elf_symtab st;
	struct elf_fault fault;
	uint64_t off;
	const char *name;

	if (elf_find_symtab(img, &st, &fault) != 0)
		return;
	touch((const uint8_t *)st.sym, st.count * sizeof *st.sym);
	touch((const uint8_t *)st.str, st.str_size);
	for (uint64_t i = 0; i < st.count && i < 64; i++) {
		name = elf_symbolize(&st, st.sym[i].st_value + (i & 7), &off);
		if (name)
			touch((const uint8_t *)name, strlen(name) + 1);
	}
	elf_symbolize(&st, img->entry, &off);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elf_image img;
	struct elf_fault fault;
	uint8_t *buf = malloc(size ? size : 1);

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	if (elf_open(&img, buf, size, &fault) == 0) {
		fuzz_segments(&img, CAPOS_KERNEL_BASE, 0ull - 4096);
		fuzz_segments(&img, 0x1000, 0x0000800000000000ull);
		fuzz_symbols(&img);
	} else if (!fault.what) {
		abort();
	}
	free(buf);
	return 0;
}
