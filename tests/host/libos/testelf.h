/*
 * A tiny static ELF64 executable built in memory, for the libOS loader's
 * host tests (test_loadplan.c): a text segment (R-X,
 * 16 bytes at UVM_TESTELF_TEXT_VA, the entry point), a data segment (RW-,
 * 32 file bytes at UVM_TESTELF_DATA_VA followed by bss up to 8 KiB) and a
 * PT_TLS segment inside the data (16 initialised bytes of 64, aligned 16).
 * Tests patch the program headers to make broken variants.
 */
#ifndef TESTS_HOST_LIBOS_TESTELF_H
#define TESTS_HOST_LIBOS_TESTELF_H

#include <stdint.h>
#include <string.h>
#include "lib/elf.h"

#define UVM_TESTELF_SIZE     0x220u
#define UVM_TESTELF_TEXT_VA  0x400100ull
#define UVM_TESTELF_TEXT_OFF 0x100u
#define UVM_TESTELF_TEXT_LEN 16u
#define UVM_TESTELF_DATA_VA  0x401200ull
#define UVM_TESTELF_DATA_OFF 0x200u
#define UVM_TESTELF_DATA_LEN 32u
#define UVM_TESTELF_DATA_MEM 0x2000u
#define UVM_TESTELF_PHNUM    3u

/* The byte at file offset off of the text and data payloads. */
static inline uint8_t uvm_testelf_byte(uint32_t off)
{
	return (uint8_t)(off * 7u + 3u);
}

static inline void uvm_testelf_phdr(struct elf64_phdr *ph, uint32_t type, uint32_t flags,
				    uint64_t off, uint64_t va, uint64_t filesz, uint64_t memsz,
				    uint64_t align)
{
	*ph = (struct elf64_phdr){ type, flags, off, va, va, filesz, memsz, align };
}

/* Build the file into buf (UVM_TESTELF_SIZE bytes, 8-byte aligned). */
static inline struct elf64_phdr *uvm_testelf_build(uint8_t *buf)
{
	struct elf64_ehdr *eh = (struct elf64_ehdr *)buf;
	struct elf64_phdr *ph = (struct elf64_phdr *)(buf + sizeof(*eh));

	memset(buf, 0, UVM_TESTELF_SIZE);
	memcpy(eh->e_ident, "\177ELF", 4);
	eh->e_ident[ELF_EI_CLASS] = ELF_CLASS64;
	eh->e_ident[ELF_EI_DATA] = ELF_DATA2LSB;
	eh->e_ident[ELF_EI_VERSION] = ELF_EV_CURRENT;
	eh->e_type = ELF_ET_EXEC;
	eh->e_machine = ELF_EM_X86_64;
	eh->e_version = ELF_EV_CURRENT;
	eh->e_entry = UVM_TESTELF_TEXT_VA;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = UVM_TESTELF_PHNUM;
	uvm_testelf_phdr(&ph[0], ELF_PT_LOAD, ELF_PF_R | ELF_PF_X, UVM_TESTELF_TEXT_OFF,
			 UVM_TESTELF_TEXT_VA, UVM_TESTELF_TEXT_LEN, UVM_TESTELF_TEXT_LEN, 0x1000);
	uvm_testelf_phdr(&ph[1], ELF_PT_LOAD, ELF_PF_R | ELF_PF_W, UVM_TESTELF_DATA_OFF,
			 UVM_TESTELF_DATA_VA, UVM_TESTELF_DATA_LEN, UVM_TESTELF_DATA_MEM, 0x1000);
	uvm_testelf_phdr(&ph[2], ELF_PT_TLS, ELF_PF_R, UVM_TESTELF_DATA_OFF, UVM_TESTELF_DATA_VA,
			 16, 64, 16);
	for (uint32_t i = 0; i < UVM_TESTELF_TEXT_LEN; i++)
		buf[UVM_TESTELF_TEXT_OFF + i] = uvm_testelf_byte(UVM_TESTELF_TEXT_OFF + i);
	for (uint32_t i = 0; i < UVM_TESTELF_DATA_LEN; i++)
		buf[UVM_TESTELF_DATA_OFF + i] = uvm_testelf_byte(UVM_TESTELF_DATA_OFF + i);
	return ph;
}

#endif
