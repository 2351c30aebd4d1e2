/*
 * Symbolized backtraces from frame pointers.  The kernel is built with
 * -fno-omit-frame-pointer; the symbol table comes from the kernel ELF file
 * the loader keeps in memory (struct capos_boot_info.kernel_file_*).
 */
#ifndef EXO_KERN_BACKTRACE_H
#define EXO_KERN_BACKTRACE_H
#include <stdint.h>

/* Find the kernel's symbol table; without it backtraces print raw addresses. */
void symbols_init(uint64_t kernel_file_phys, uint64_t kernel_file_size);

/* Name of the function containing addr and the offset into it, or NULL. */
const char *symbols_lookup(uint64_t addr, uint64_t *offset);

/* Print "  #n 0xaddr name+0xoff" for each frame, starting at frame pointer rbp. */
void backtrace_print(uint64_t rbp);

/* Print one address symbolized, e.g. for RIP in a register dump. */
void backtrace_print_addr(const char *label, uint64_t addr);

#endif
