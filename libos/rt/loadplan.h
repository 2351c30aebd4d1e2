/*
 * The loader's checks on a program before any child exists: the ELF file
 * (exo/lib/elf.c: header, every PT_LOAD inside the image window, no two
 * segments sharing a page, W^X, sizes, entry in an executable segment),
 * its PT_TLS header, and where everything else of the child goes.
 *
 * The child's layout: the program's segments in [CAPOS_USER_MIN,
 * LOAD_WINDOW_END); the bootstrap page at LOAD_BOOTSTRAP_VA; one unmapped
 * guard page; the main stack, LOAD_STACK_PAGES read-write pages ending
 * at CAPOS_USER_STACK_TOP.  The kernel put its ring in the child where
 * it chooses (CAPOS_USER_MAP_BASE upwards, below this window's end only
 * in an address space that is already full).  Pure: the host tests link it.
 */
#ifndef LIBOS_RT_LOADPLAN_H
#define LIBOS_RT_LOADPLAN_H

#include <stdint.h>
#include <capos/prot.h>
#include "lib/elf.h"

#define LOAD_TLS_MAX (1ull << 20)                  /* largest TLS segment (memory size) */
#define LOAD_STACK_PAGES 64u                       /* 256 KiB main-thread stack */
#define LOAD_STACK_BOTTOM (CAPOS_USER_STACK_TOP - LOAD_STACK_PAGES * CAPOS_PAGE_SIZE)
#define LOAD_BOOTSTRAP_VA (LOAD_STACK_BOTTOM - 2 * CAPOS_PAGE_SIZE)  /* a guard page between */
#define LOAD_WINDOW_END LOAD_BOOTSTRAP_VA

struct load_plan {
	struct elf_image img;
	uint32_t segments;       /* PT_LOAD count, at least 1 */
	uint64_t entry;
	uint64_t heap_start;     /* first page above the highest segment */
	/* PT_TLS; tls_memsz 0 without one; tls_align a power of two up to a page (1 when the file said 0) */
	uint64_t tls_image, tls_filesz, tls_memsz, tls_align;
};

/*
 * Check image[0..size) (8-byte aligned).  0 with *plan, or the
 * elf_open/elf_check_load code (-CAPOS_EFORMAT, -CAPOS_ETRUNC,
 * -CAPOS_ENOTSUP, -CAPOS_EINVAL for a misaligned buffer), or
 * -CAPOS_EFORMAT for a bad PT_TLS, with *fault saying why.
 */
int load_plan_check(const void *image, uint64_t size, struct load_plan *plan, struct elf_fault *fault);

/* Loader protection (CAPOS_PROT_*) of ELF segment flags: always readable. */
uint32_t load_prot(uint32_t pflags);

#endif
