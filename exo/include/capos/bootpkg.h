/*
 * Boot package: the one file besides the kernel that the loader reads from
 * the ESP (\capos\boot.pkg).  It holds the system manifest and the program
 * binaries, each as a named entry.  Written on the host by
 * manifests/tool/mkbootpkg, checked by the loader before hand-over and by
 * the kernel again (exo/lib/bootpkg.c is the one checker).
 *
 * Layout, all little endian:
 *   struct capos_bootpkg_header            at offset 0
 *   struct capos_bootpkg_entry[count]      at offset 64
 *   entry data, each at a 4 KiB aligned offset, in entry order
 * Invariants the checker enforces: names are non-empty printable ASCII,
 * NUL-terminated and unique; every entry lies inside total_size, after the
 * table, and does not overlap another; every CRC32 matches.
 */
#ifndef CAPOS_BOOTPKG_H
#define CAPOS_BOOTPKG_H

#include <stdint.h>

#define CAPOS_BOOTPKG_MAGIC "CAPOSPKG"
#define CAPOS_BOOTPKG_VERSION 1u
#define CAPOS_BOOTPKG_NAME_MAX 40     /* bytes including the NUL */
#define CAPOS_BOOTPKG_MAX_ENTRIES 1024
#define CAPOS_BOOTPKG_ALIGN 4096u

enum capos_bootpkg_kind {
	CAPOS_BOOTPKG_FILE = 1,      /* opaque data */
	CAPOS_BOOTPKG_MANIFEST = 2,  /* compiled system manifest */
	CAPOS_BOOTPKG_ELF = 3,       /* a program binary */
};

struct capos_bootpkg_header {
	char magic[8];          /* CAPOS_BOOTPKG_MAGIC, no NUL */
	uint32_t version;
	uint32_t entry_count;
	uint64_t total_size;    /* bytes, the whole file */
	uint32_t table_crc32;   /* CRC32 of the entry table */
	uint32_t header_crc32;  /* CRC32 of this header with this field zero */
	uint8_t reserved[32];   /* zero */
};
_Static_assert(sizeof(struct capos_bootpkg_header) == 64, "bootpkg header layout");

struct capos_bootpkg_entry {
	char name[CAPOS_BOOTPKG_NAME_MAX];
	uint64_t offset;        /* from the start of the file, CAPOS_BOOTPKG_ALIGN aligned */
	uint64_t size;          /* bytes */
	uint32_t kind;          /* enum capos_bootpkg_kind */
	uint32_t crc32;         /* CRC32 of the data */
};
_Static_assert(sizeof(struct capos_bootpkg_entry) == 64, "bootpkg entry layout");

#endif
