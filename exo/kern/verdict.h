/*
 * How the kernel ends a run: a verdict to the QEMU isa-debug-exit device
 * when the command line says "exit=debug" (tests and ./capos run set it),
 * otherwise a halt.  capos/verdict.h has the numbers.
 */
#ifndef EXO_KERN_VERDICT_H
#define EXO_KERN_VERDICT_H
#include <stdint.h>

void verdict_init(const char *cmdline);
int verdict_enabled(void);
/* Report code (CAPOS_VERDICT_*) and stop; halts if QEMU did not exit. */
__attribute__((noreturn)) void verdict_exit(uint32_t code);

#endif
