/*
 * Symbolized backtraces.  symbols_init() opens the kernel ELF file that the
 * loader kept in memory and finds its symbol table; backtrace_print() walks
 * the frame-pointer chain ([rbp] = caller's rbp, [rbp+8] = return address).
 * The walk runs on panic paths, so it trusts nothing: every frame must be in
 * the kernel half, 8-byte aligned, mapped (vm_kernel_readable) and above the
 * previous one, and the depth is bounded.
 */
#include <stdint.h>
#include <capos/bootinfo.h>
#include <capos/error.h>
#include "backtrace.h"
#include "log.h"
#include "../lib/elf.h"
#include "../lib/fmt.h"
#include "../mm/mm.h"

#define BACKTRACE_MAX_FRAMES 32

static struct elf_symtab symtab;
static int have_symbols;

void symbols_init(uint64_t kernel_file_phys, uint64_t kernel_file_size)
{
	struct elf_image img;
	struct elf_fault fault = { -1, "" };
	int err;

	if (!kernel_file_phys || !kernel_file_size) {
		kwarn("backtrace: the loader kept no kernel file; addresses will not be symbolized");
		return;
	}
	err = elf_open(&img, phys_to_virt(kernel_file_phys), kernel_file_size, &fault);
	if (!err)
		err = elf_find_symtab(&img, &symtab, &fault);
	if (err) {
		kwarn("backtrace: no kernel symbols (%s); addresses will not be symbolized",
		      err == -CAPOS_ENOENT ? "stripped" : fault.what);
		return;
	}
	have_symbols = 1;
	kdebug("backtrace: %llu kernel symbols", (unsigned long long)symtab.count);
}

const char *symbols_lookup(uint64_t addr, uint64_t *offset)
{
	if (!have_symbols)
		return NULL;
	return elf_symbolize(&symtab, addr, offset);
}

static void print_frame(const char *label, uint64_t addr, uint64_t lookup)
{
	uint64_t off = 0;
	const char *name = symbols_lookup(lookup, &off);

	if (name)
		kprintf("  %s 0x%016llx %s+0x%llx\n", label, (unsigned long long)addr, name,
			(unsigned long long)(off + (addr - lookup)));
	else
		kprintf("  %s 0x%016llx ?\n", label, (unsigned long long)addr);
}

void backtrace_print_addr(const char *label, uint64_t addr)
{
	print_frame(label, addr, addr);
}

static int frame_ok(uint64_t rbp, uint64_t prev)
{
	return rbp >= CAPOS_HHDM_BASE && (rbp & 7) == 0 && rbp > prev &&
	       vm_kernel_readable(rbp) && vm_kernel_readable(rbp + 8);
}

void backtrace_print(uint64_t rbp)
{
	char label[8];
	uint64_t prev = 0;

	kprintf("backtrace:\n");
	for (int depth = 0; depth < BACKTRACE_MAX_FRAMES && frame_ok(rbp, prev); depth++) {
		const uint64_t *frame = (const uint64_t *)rbp;
		uint64_t ret = frame[1];

		if (ret < CAPOS_KERNEL_BASE)
			break;
		ksnprintf(label, sizeof label, "#%d", depth);
		/* Look up ret - 1: the call instruction, not what follows it. */
		print_frame(label, ret, ret - 1);
		prev = rbp;
		rbp = frame[0];
	}
}
