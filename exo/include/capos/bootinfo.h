/*
 * Boot-info record: what the UEFI loader (exo/boot) hands the kernel.
 *
 * The loader fills one struct capos_boot_info in memory of type
 * CAPOS_MEM_BOOTINFO, switches to its own page tables (identity map of low
 * memory, the direct map at CAPOS_HHDM_BASE, the kernel at its link
 * address) and jumps to the kernel entry with the record's physical address
 * in %rdi.  Every address in the record is physical; the kernel reaches it
 * through the direct map.  The layout is fixed: version bumps whenever a
 * field changes meaning, and the static asserts below pin offsets.
 */
#ifndef CAPOS_BOOTINFO_H
#define CAPOS_BOOTINFO_H

#include <stdint.h>

#define CAPOS_BOOTINFO_MAGIC   0x4f464e49534f5043ull /* "CPOSINFO" */
#define CAPOS_BOOTINFO_VERSION 1u

/* Virtual layout shared by loader and kernel. */
#define CAPOS_HHDM_BASE   0xffff800000000000ull /* direct map of physical memory */
#define CAPOS_KERNEL_BASE 0xffffffff80000000ull /* kernel link address (-mcmodel=kernel) */

/* Memory-map entry types, translated by the loader from UEFI types. */
enum capos_mem_type {
	CAPOS_MEM_USABLE = 1,        /* free RAM (EfiConventionalMemory) */
	CAPOS_MEM_BOOT_RECLAIM = 2,  /* loader and boot-services code/data: free after hand-over */
	CAPOS_MEM_ACPI_RECLAIM = 3,  /* ACPI tables: keep while the kernel reads them */
	CAPOS_MEM_ACPI_NVS = 4,
	CAPOS_MEM_RESERVED = 5,      /* firmware-reserved, unusable, runtime services, PAL */
	CAPOS_MEM_MMIO = 6,          /* memory-mapped I/O described by firmware */
	CAPOS_MEM_KERNEL = 7,        /* the loaded kernel image segments */
	CAPOS_MEM_KERNEL_FILE = 8,   /* the kernel ELF file as read (symbols for backtraces) */
	CAPOS_MEM_BOOTPKG = 9,       /* the boot package file */
	CAPOS_MEM_BOOTINFO = 10,     /* this record, the memory map, the command line */
	CAPOS_MEM_EARLY_PT = 11,     /* the loader's page tables: free once the kernel has its own */
	CAPOS_MEM_BAD = 12,          /* failed RAM */
	CAPOS_MEM_PERSISTENT = 13,
};

struct capos_mem_range {
	uint64_t phys;   /* page aligned */
	uint64_t pages;  /* 4 KiB pages */
	uint32_t type;   /* enum capos_mem_type */
	uint32_t efi_type; /* the firmware's type, for diagnostics */
};
_Static_assert(sizeof(struct capos_mem_range) == 24, "capos_mem_range layout");

enum capos_fb_format {
	CAPOS_FB_NONE = 0,
	CAPOS_FB_RGBX8888 = 1, /* byte 0 red */
	CAPOS_FB_BGRX8888 = 2, /* byte 0 blue */
};

struct capos_framebuffer {
	uint64_t phys;
	uint64_t size;            /* bytes */
	uint32_t width, height;   /* pixels */
	uint32_t pitch;           /* bytes per scan line */
	uint32_t format;          /* enum capos_fb_format; CAPOS_FB_NONE when absent */
};
_Static_assert(sizeof(struct capos_framebuffer) == 32, "capos_framebuffer layout");

/* One loaded kernel segment, as mapped by the loader. */
#define CAPOS_KSEG_R 1u
#define CAPOS_KSEG_W 2u
#define CAPOS_KSEG_X 4u
#define CAPOS_KSEG_MAX 8

struct capos_kernel_segment {
	uint64_t virt;   /* page aligned */
	uint64_t phys;   /* page aligned */
	uint64_t pages;
	uint32_t flags;  /* CAPOS_KSEG_* */
	uint32_t reserved;
};
_Static_assert(sizeof(struct capos_kernel_segment) == 32, "capos_kernel_segment layout");

#define CAPOS_CMDLINE_MAX 512
#define CAPOS_FW_VENDOR_MAX 64

struct capos_boot_info {
	uint64_t magic;             /* CAPOS_BOOTINFO_MAGIC */
	uint32_t version;           /* CAPOS_BOOTINFO_VERSION */
	uint32_t size;              /* sizeof(struct capos_boot_info) */

	uint64_t memmap_phys;       /* array of struct capos_mem_range, sorted by phys */
	uint32_t memmap_count;
	uint32_t memmap_entry_size; /* sizeof(struct capos_mem_range) */

	uint64_t rsdp_phys;         /* ACPI RSDP, 0 when the firmware gave none */
	uint64_t kernel_file_phys;  /* the kernel ELF file, kept for its symbol table */
	uint64_t kernel_file_size;
	uint64_t bootpkg_phys;      /* the boot package, validated by the loader */
	uint64_t bootpkg_size;
	uint64_t kernel_entry;      /* virtual */
	uint64_t loader_tsc;        /* TSC just before the jump to the kernel */

	struct capos_framebuffer fb;

	uint32_t kseg_count;
	uint32_t fw_revision;
	struct capos_kernel_segment kseg[CAPOS_KSEG_MAX];

	char fw_vendor[CAPOS_FW_VENDOR_MAX];  /* ASCII, NUL terminated */
	char cmdline[CAPOS_CMDLINE_MAX];      /* ASCII, NUL terminated */
};
_Static_assert(__builtin_offsetof(struct capos_boot_info, memmap_phys) == 16, "bootinfo layout");
_Static_assert(__builtin_offsetof(struct capos_boot_info, rsdp_phys) == 32, "bootinfo layout");
_Static_assert(__builtin_offsetof(struct capos_boot_info, fb) == 88, "bootinfo layout");
_Static_assert(__builtin_offsetof(struct capos_boot_info, kseg) == 128, "bootinfo layout");
_Static_assert(sizeof(struct capos_boot_info) == 128 + 32 * 8 + 64 + 512, "bootinfo layout");

#endif
