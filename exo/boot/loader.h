/*
 * State the UEFI loader builds up on its way to the kernel, and the steps
 * that fill it (one file each).  Every step returns EFI_SUCCESS or an error
 * status after printing what went wrong with con_error(); main.c runs them
 * in order and gives the status back to the firmware on the first failure.
 */
#ifndef EXO_BOOT_LOADER_H
#define EXO_BOOT_LOADER_H

#include <efi.h>
#include <efilib.h>
#include <stdbool.h>
#include <stdint.h>
#include <capos/bootinfo.h>
#include "memxlate.h"
#include "../lib/elf.h"

#define LOADER_PAGE 4096ull
#define LOADER_MIN_FREE (16ull << 20)       /* RAM left for the kernel after loading */
#define LOADER_MAP_SLACK 64                 /* extra memory-map entries allowed for */
#define LOADER_STALL_US 3000000             /* time to read a failure message */

/* Memory the loader allocates carries our type, so the final map names it. */
static inline EFI_MEMORY_TYPE loader_mem_type(enum capos_mem_type t)
{
	return (EFI_MEMORY_TYPE)(MEMXLATE_OS_BASE + (uint32_t)t);
}

static inline uint64_t loader_pages(uint64_t bytes)
{
	return (bytes + LOADER_PAGE - 1) / LOADER_PAGE;
}

/* A file read whole into page-aligned memory. */
struct loader_file {
	const char *path;   /* ASCII, for messages */
	uint8_t *data;
	uint64_t size;
	uint64_t pages;
};

/* A snapshot of the firmware memory map (pool buffer, reused). */
struct loader_map {
	uint8_t *buf;
	UINTN capacity;     /* bytes */
	UINTN size;         /* bytes in use */
	UINTN key;
	UINTN desc_size;
	UINT32 desc_version;
};

struct loader {
	EFI_HANDLE image;
	EFI_FILE_HANDLE root;
	bool debug_exit;
	char cmdline[CAPOS_CMDLINE_MAX];
	struct loader_file kernel;
	struct loader_file pkg;
	uint32_t pkg_entries;
	struct elf_image kimg;
	uint32_t kseg_count;
	struct capos_kernel_segment kseg[CAPOS_KSEG_MAX];
	struct capos_boot_info *bi;       /* CAPOS_MEM_BOOTINFO block */
	struct capos_mem_range *map;      /* inside the same block */
	uint32_t map_capacity;
	struct loader_map fwmap;
	uint64_t ram_top;                 /* end of the highest RAM range */
	uint64_t pml4;                    /* physical address of the root table */
};

/* conout.c */
const char *con_status_name(EFI_STATUS st);

/* file.c */
EFI_STATUS file_open_volume(struct loader *ld);
EFI_STATUS file_read_pages(struct loader *ld, const CHAR16 *path, const char *name,
			   enum capos_mem_type type, struct loader_file *out);
EFI_STATUS file_read_small(struct loader *ld, const CHAR16 *path, const char *name,
			   char *buf, UINTN cap, UINTN *len);

/* bootcmd.c */
EFI_STATUS bootcmd_read(struct loader *ld);

/* elfload.c */
EFI_STATUS elfload_check(struct loader *ld);
EFI_STATUS elfload_segments(struct loader *ld);

/* pkgcheck.c */
EFI_STATUS pkgcheck(struct loader *ld);

/* memmap.c */
EFI_STATUS memmap_snapshot(struct loader_map *m);
uint64_t memmap_free_kib(struct loader *ld);
EFI_STATUS memmap_check_memory(struct loader *ld);
EFI_STATUS memmap_alloc_bootinfo(struct loader *ld);
EFI_STATUS memmap_exit_boot_services(struct loader *ld);

/* paging.c */
EFI_STATUS paging_build(struct loader *ld);

/* sysinfo.c */
void sysinfo_fill(struct loader *ld);

/* handoff.c */
EFI_STATUS handoff_check_cpu(void);
void handoff_fill_bootinfo(struct loader *ld);
__attribute__((noreturn)) void handoff_jump(struct loader *ld);

/* main.c */
void loader_fatal_after_exit(struct loader *ld, const char *what) __attribute__((noreturn));

#endif
