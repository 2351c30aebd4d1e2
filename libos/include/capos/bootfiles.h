/*
 * The boot package as files: the libOS finds programs and data in the
 * boot package it holds as "bootpkg" — a read-only MemoryObject — by
 * mapping it once and reading it with the same checked parser the loader
 * and host tools use (exo/lib/bootpkg.c).  The kernel does no name lookup.
 */
#ifndef CAPOS_BOOTFILES_H
#define CAPOS_BOOTFILES_H

#include <stdint.h>
#include <capos/bootpkg.h>

/*
 * The entry named name: 0 with *data (valid for the life of the process),
 * *size and *kind (CAPOS_BOOTPKG_*); -CAPOS_ENOENT without such an entry
 * or without "bootpkg"; -CAPOS_EFORMAT when the package fails its checks.
 */
int capos_bootfile_find(const char *name, const void **data, uint64_t *size, uint32_t *kind);
/* Entry index (0-based): 0 with its name (NUL-terminated, CAPOS_BOOTPKG_NAME_MAX), size and kind; -CAPOS_ENOENT past the end. */
int capos_bootfile_at(uint32_t index, char *name, uint64_t *size, uint32_t *kind);

#endif
