/*
 * uelf: load a static ELF64 x86_64 executable (held in kernel memory, e.g.
 * a boot-package entry) into a user address space.  Only the kernel's
 * start of init uses it (process_load from exo/proc/init.c); every other
 * program is loaded by the libOS over ProcessFactory (libos/rt/spawn.c,
 * with the same checks in libos/rt/loadplan.c).
 *
 * The file is checked in full first (exo/lib/elf.h: header, every PT_LOAD
 * inside [CAPOS_USER_MIN, CAPOS_USER_MAX), W^X, entry point; then the
 * PT_TLS header here).  Then each PT_LOAD becomes one VMA_IMAGE region of
 * zeroed frames with the segment's protection (READ always, plus WRITE or
 * EXEC), its file bytes copied in (the bss is the rest, already zero), and
 * with uelf_load_process, the stack is mapped too: `stack_pages`
 * read-write pages ending at `stack_top` with `guard_pages` unmapped guard
 * pages below (uelf_load leaves the stack to the caller, who can use
 * aspace_map_stack).
 *
 * On failure *fault says why (index = program header, or -1) in the
 * elf_fault style, and nothing from this load stays mapped or charged.
 * Frames are charged to the space's quota.
 */
#ifndef EXO_PROC_UELF_H
#define EXO_PROC_UELF_H

#include <stdint.h>
#include "../lib/elf.h"

struct aspace;

#define ELF_PT_TLS 7u

/* Largest TLS segment accepted (memory size). */
#define UELF_TLS_MAX (1ull << 20)

struct uelf_params {
	uint64_t stack_pages;   /* > 0 */
	uint64_t guard_pages;   /* > 0 */
	uint64_t stack_top;     /* page aligned; 0: CAPOS_USER_STACK_TOP */
};

struct uelf_info {
	uint64_t entry;
	uint64_t brk_start;     /* first page above the highest segment (for a heap) */
	uint32_t segments;      /* PT_LOAD segments mapped */
	/* The PT_TLS segment; tls_memsz 0 when the program has none.  The
	 * template (tls_filesz initialised bytes, then tls_memsz - tls_filesz
	 * zero bytes) is at tls_image in the loaded image; tls_align is a
	 * power of two up to the page size (1 when the file said 0). */
	uint64_t tls_image, tls_filesz, tls_memsz, tls_align;
	/* uelf_load_process only (0 from uelf_load): */
	uint64_t stack_top;     /* initial stack pointer, 16-byte aligned */
	uint64_t stack_bottom;  /* lowest stack byte; the guard lies below */
};

/*
 * Load the segments of image[0..size) (8-byte aligned) into as.  0, or a
 * negative code: the elf_open/elf_check_load codes, -CAPOS_EFORMAT for a
 * bad PT_TLS, and the aspace codes (-CAPOS_EEXIST, -CAPOS_EQUOTA,
 * -CAPOS_ENOMEM) when mapping fails.
 */
int uelf_load(struct aspace *as, const void *image, uint64_t size, struct uelf_info *out,
	      struct elf_fault *fault);

/* uelf_load plus the stack (params), all or nothing; -CAPOS_EINVAL for
 * bad params, the aspace_map_stack codes when the stack cannot be mapped. */
int uelf_load_process(struct aspace *as, const void *image, uint64_t size,
		      const struct uelf_params *params, struct uelf_info *out, struct elf_fault *fault);

#endif
