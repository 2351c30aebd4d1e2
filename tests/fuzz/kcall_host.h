/*
 * Forced in (-include) when exo/cap/kcall.c is built for the host by
 * fuzz_kcall: stands in for exo/arch/x86_64/cpu.h (whose cli/sti would
 * fault in a host process) with the three helpers the spinlocks use.
 */
#ifndef TESTS_FUZZ_KCALL_HOST_H
#define TESTS_FUZZ_KCALL_HOST_H
#define EXO_ARCH_CPU_H
#include <stdint.h>
static inline uint64_t irq_save(void) { return 0; }
static inline void irq_restore(uint64_t f) { (void)f; }
static inline void cpu_relax(void) { }
#endif
