/*
 * ELF64 reader for x86_64 executables: checks a file held in memory and
 * hands out its loadable segments and its symbol table.  Pure code with no
 * allocation and no C library calls: the UEFI loader checks and loads the
 * kernel with it, the kernel symbolizes backtraces with it (and later loads
 * user programs), host tools and tests link it natively.  Nothing in the
 * file is trusted: every offset, size and index is bounds checked before it
 * is followed, so a hostile file can only produce a fault.
 *
 * Faults carry an index (the program header or section the check was
 * about, -1 for the file header) and a static sentence; callers print them
 * as "<file>: program header <n>: <what>" (or without the index when -1).
 */
#ifndef EXO_LIB_ELF_H
#define EXO_LIB_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ELF_PAGE_SIZE 4096u

/* e_ident */
#define ELF_EI_NIDENT 16
#define ELF_EI_CLASS 4
#define ELF_EI_DATA 5
#define ELF_EI_VERSION 6
#define ELF_EI_OSABI 7
#define ELF_CLASS64 2
#define ELF_DATA2LSB 1
#define ELF_EV_CURRENT 1
#define ELF_OSABI_SYSV 0
#define ELF_OSABI_GNU 3

#define ELF_ET_EXEC 2
#define ELF_EM_X86_64 62

/* Program headers */
#define ELF_PT_NULL 0
#define ELF_PT_LOAD 1
#define ELF_PT_DYNAMIC 2
#define ELF_PT_INTERP 3
#define ELF_PT_TLS 7
#define ELF_PN_XNUM 0xffffu
#define ELF_PF_X 1u
#define ELF_PF_W 2u
#define ELF_PF_R 4u

/* Sections */
#define ELF_SHN_UNDEF 0
#define ELF_SHN_LORESERVE 0xff00u
#define ELF_SHT_SYMTAB 2
#define ELF_SHT_STRTAB 3
#define ELF_SHT_NOBITS 8

/* Symbols */
#define ELF_STT_NOTYPE 0
#define ELF_STT_OBJECT 1
#define ELF_STT_FUNC 2
#define ELF_ST_TYPE(info) ((info) & 0xfu)
#define ELF_ST_BIND(info) ((info) >> 4)

struct elf64_ehdr {
	uint8_t e_ident[ELF_EI_NIDENT];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};
_Static_assert(sizeof(struct elf64_ehdr) == 64, "Elf64_Ehdr layout");

struct elf64_phdr {
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
};
_Static_assert(sizeof(struct elf64_phdr) == 56, "Elf64_Phdr layout");

struct elf64_shdr {
	uint32_t sh_name;
	uint32_t sh_type;
	uint64_t sh_flags;
	uint64_t sh_addr;
	uint64_t sh_offset;
	uint64_t sh_size;
	uint32_t sh_link;
	uint32_t sh_info;
	uint64_t sh_addralign;
	uint64_t sh_entsize;
};
_Static_assert(sizeof(struct elf64_shdr) == 64, "Elf64_Shdr layout");

struct elf64_sym {
	uint32_t st_name;
	uint8_t st_info;
	uint8_t st_other;
	uint16_t st_shndx;
	uint64_t st_value;
	uint64_t st_size;
};
_Static_assert(sizeof(struct elf64_sym) == 24, "Elf64_Sym layout");

/* Where a check failed: index is a program header or section, -1 for the file. */
struct elf_fault {
	int index;
	const char *what;
};

/* A checked file: tables are known to lie inside [base, base + size). */
struct elf_image {
	const uint8_t *base;
	uint64_t size;
	const struct elf64_ehdr *ehdr;
	const struct elf64_phdr *phdr;  /* NULL when phnum is 0 */
	const struct elf64_shdr *shdr;  /* NULL when shnum is 0 */
	uint16_t phnum;
	uint16_t shnum;
	uint64_t entry;
};

/* One PT_LOAD segment, after elf_check_load() accepted it. */
struct elf_segment {
	uint64_t vaddr;
	uint64_t memsz;
	uint64_t offset;   /* file bytes [offset, offset + filesz) go to vaddr */
	uint64_t filesz;   /* the rest, up to memsz, is zero */
	uint32_t flags;    /* ELF_PF_R | ELF_PF_W | ELF_PF_X */
	int index;         /* program header index */
};

/* The symbol table and its string table (every name NUL-terminated inside). */
struct elf_symtab {
	const struct elf64_sym *sym;
	uint64_t count;
	const char *str;
	uint64_t str_size;
};

/*
 * Check the file header and that both header tables lie inside the buffer
 * (buf must be 8-byte aligned).  Accepts only little-endian ELF64 x86_64
 * executables (ET_EXEC).  Returns 0 and fills *img, or -CAPOS_EFORMAT /
 * -CAPOS_ETRUNC / -CAPOS_ENOTSUP with *fault (may be NULL) saying why.
 */
int elf_open(struct elf_image *img, const void *buf, uint64_t size,
	     struct elf_fault *fault);

/*
 * Check every PT_LOAD segment of an opened file for loading into the
 * virtual window [vmin, vmax): sizes, file range, page congruence,
 * alignment, window, no two segments sharing a page, W^X, and that the
 * entry point lies in an executable segment.  Returns the number of
 * PT_LOAD segments (at least 1) or a negative code with *fault.
 */
int elf_check_load(const struct elf_image *img, uint64_t vmin, uint64_t vmax,
		   struct elf_fault *fault);

/*
 * The n-th PT_LOAD segment (0-based, in program-header order).  Returns 0,
 * or -CAPOS_ENOENT past the last.  Only meaningful after elf_check_load().
 */
int elf_segment(const struct elf_image *img, unsigned n, struct elf_segment *seg);

/* Page-rounded virtual range of a segment: [*start, *end). */
void elf_segment_pages(const struct elf_segment *seg, uint64_t *start, uint64_t *end);

/*
 * Find the SHT_SYMTAB section and its linked string table, both checked to
 * lie inside the file.  Returns 0, -CAPOS_ENOENT when the file has no
 * symbol table (stripped), or another negative code with *fault.
 */
int elf_find_symtab(const struct elf_image *img, struct elf_symtab *st,
		    struct elf_fault *fault);

/*
 * Name of the function symbol containing addr, with *offset = addr - start.
 * A symbol of unknown size (0) covers addresses up to the next function.
 * Returns NULL when no function symbol covers addr.
 */
const char *elf_symbolize(const struct elf_symtab *st, uint64_t addr, uint64_t *offset);

#endif
