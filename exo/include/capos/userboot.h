/*
 * The userboot image: the first user program, prepared at build time
 * (exo/proc/mkuserboot.py) from apps/userboot's ELF file and embedded in
 * the kernel.  The kernel starts it as process 1 without parsing any
 * program format: the image is this header, then the bytes of each
 * segment, each to be copied to its address with its protection.
 * userboot then finds the real init in the boot package and becomes it
 * (capos_exec_image), so program loading stays in the libOS.
 *
 * Invariants the build tool checks and the kernel re-checks (a bad image
 * is a build error; the kernel refuses it instead of trusting it):
 * segments page aligned, in [CAPOS_USERBOOT_BASE, CAPOS_USERBOOT_END),
 * ascending without overlap, never writable and executable, their bytes
 * inside the image; the entry inside an executable segment.
 */
#ifndef CAPOS_USERBOOT_H
#define CAPOS_USERBOOT_H

#include <stdint.h>

#define CAPOS_USERBOOT_MAGIC 0x544f4f4255534f43ull  /* "COSUBOOT" */
#define CAPOS_USERBOOT_VERSION 1u
#define CAPOS_USERBOOT_BASE 0x0000000070000000ull   /* link address: above programs at 0x400000, below 2 GiB (-mcmodel=small) */
#define CAPOS_USERBOOT_END  0x0000000080000000ull   /* 256 MiB for the image and its heap */
#define CAPOS_USERBOOT_SEGS 4u

struct capos_userboot_segment {
	uint64_t vaddr;    /* page aligned */
	uint64_t pages;    /* memory size, whole pages (the rest of the file bytes is zero) */
	uint64_t offset;   /* of its bytes from the start of the image */
	uint64_t filesz;   /* bytes to copy, <= pages * 4096 */
	uint32_t prot;     /* CAPOS_PROT_* */
	uint32_t reserved;
};
_Static_assert(sizeof(struct capos_userboot_segment) == 40, "userboot segment layout");

struct capos_userboot_header {
	uint64_t magic;
	uint32_t version;
	uint32_t segments;          /* used entries of seg */
	uint64_t entry;
	uint64_t heap_start;        /* first page above the image */
	uint64_t tls_image, tls_filesz, tls_memsz, tls_align;  /* as in the bootstrap page */
	struct capos_userboot_segment seg[CAPOS_USERBOOT_SEGS];
};
_Static_assert(__builtin_offsetof(struct capos_userboot_header, seg) == 64, "userboot header layout");
_Static_assert(sizeof(struct capos_userboot_header) == 64 + 40 * 4, "userboot header layout");

#endif
